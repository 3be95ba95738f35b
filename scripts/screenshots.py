#!/usr/bin/env python3
"""Screenshots of the reports, so anyone can look at them without running an auditor's batch.

Scores the bundled samples and writes, into ``--out`` (default ``screenshots/``):

* ``report.html`` and its screenshots in headless Chromium, ``report-desktop.png`` (1280 px) and
  ``report-mobile.png`` (390 px);
* ``report.xlsx`` and, where LibreOffice is installed, ``report.pdf``: the workbook as it prints (the print
  setup of the xlsx report: landscape, fit to width, repeated headers);
* with ``--big N``: an HTML report of N generated forms (``benchmarks/generate.py``), the seconds it took to
  write and the seconds Chromium took to render it (``report-big.png``).

    python scripts/screenshots.py
    python scripts/screenshots.py --out /tmp/shots --big 20000

Chromium is Debian's ``chromium`` (``.ci/run`` installs it); a missing tool is said in one line and the
rest is still made.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def chromium() -> str | None:
    found = ("/usr/bin/chromium", *(shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")))
    return next((p for p in found if p and Path(p).exists()), None)


def perfscore(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "perfscore", *args], check=True, capture_output=True, timeout=1800)


def screenshot(browser: str, page: Path, png: Path, width: int) -> float:
    start = time.perf_counter()
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--window-size={width},2000", f"--screenshot={png}", page.as_uri()],
                   check=True, capture_output=True, timeout=600)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=ROOT / "screenshots")
    p.add_argument("--big", type=int, default=0, help="also render an HTML report of this many generated forms")
    args = p.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    samples = str(ROOT / "samples")
    perfscore("score", samples, "-o", str(out / "report.html"), "--fail-on", "never")
    perfscore("score", samples, "-o", str(out / "report.xlsx"), "--fail-on", "never")
    print(f"wrote {out / 'report.html'} and {out / 'report.xlsx'}")
    browser = chromium()
    if browser is None:
        print("no Chromium: install Debian's chromium for the screenshots")
    else:
        for name, width in (("desktop", 1280), ("mobile", 390)):
            png = out / f"report-{name}.png"
            screenshot(browser, out / "report.html", png, width)
            print(f"wrote {png}")
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        print("no LibreOffice (soffice): the xlsx report's print preview as PDF is skipped")
    else:
        subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(out), str(out / "report.xlsx")],
                       check=True, capture_output=True, timeout=600)
        print(f"wrote {out / 'report.pdf'}")
    if args.big:
        forms = out / f"forms-{args.big}.jsonl"
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--forms", str(args.big),
                        "--out", str(forms)], check=True, timeout=1800)
        start = time.perf_counter()
        perfscore("score", str(forms), "-o", str(out / "report-big.html"), "--fail-on", "never")
        wrote = time.perf_counter() - start
        size = (out / "report-big.html").stat().st_size
        line = f"{args.big} forms: HTML written in {wrote:.1f} s ({size / 1e6:.1f} MB)"
        if browser is not None:
            seconds = screenshot(browser, out / "report-big.html", out / "report-big.png", 1280)
            line += f", rendered by Chromium in {seconds:.1f} s"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
