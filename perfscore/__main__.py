from perfscore.cli import main

main()
