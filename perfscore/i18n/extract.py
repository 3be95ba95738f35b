"""Keep the message catalogues in step with the code: `python -m perfscore.i18n.extract`.

Babel extracts every `_()`, `N_()`, `ngettext()` and `pgettext()` of the package, and every entry of
the finding catalogue (`perfscore.catalogue`: each field under the context `code:field`, so entries
added there are picked up here) into `locale/perfscore.pot`; the Chinese catalogue is updated from it
(translations kept, new messages left to translate, obsolete ones dropped) and compiled to the `.mo`
that ships. `--check` changes nothing and exits 1 when a message has no Chinese.

A development tool (Babel is in the `test` extra); the package itself needs only the compiled `.mo`.
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import sys
from pathlib import Path

from perfscore.i18n import DOMAIN, LOCALE_DIR

PACKAGE = Path(__file__).resolve().parents[1]
POT = LOCALE_DIR / f"{DOMAIN}.pot"
LOCALES = ("zh_CN",)
_INLINE = re.compile(r"""(?<![\w.])_\(\s*('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")\s*\)""")


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def template():
    """The catalogue of every message the code can show, as Babel builds it."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    from perfscore.catalogue import CATALOGUE
    from perfscore.i18n import CATALOGUE_FIELDS

    pot = Catalog(project="perfscore", domain=DOMAIN, charset="utf-8")
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    for file, line, message, comments, context in extract_from_dir(
            PACKAGE, method_map=[("**.py", "python")], keywords=keywords):
        if "/i18n/extract.py" in file.replace("\\", "/"):
            continue
        pot.add(message, locations=[(f"perfscore/{file}", line)], auto_comments=comments, context=context)
    for source in sorted(PACKAGE.rglob("*.py")):  # calls inside f-strings, which Babel's tokenizer does not see
        if source.name == "extract.py":
            continue
        for match in _INLINE.finditer(source.read_text(encoding="utf-8")):
            message = ast.literal_eval(match.group(1))
            if message not in pot:
                pot.add(message, locations=[(f"perfscore/{source.relative_to(PACKAGE).as_posix()}", 0)])
    for code, spec in CATALOGUE.items():
        for field in CATALOGUE_FIELDS:
            pot.add(getattr(spec, field), locations=[("perfscore/catalogue.py", 0)], context=f"{code}:{field}")
    return pot


def update(check: bool = False) -> list[str]:
    """Update (or with `check`, only compare) the catalogues; the messages with no translation."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po, write_po

    pot = template()
    missing: list[str] = []
    for locale in LOCALES:
        path = po_path(locale)
        with path.open("rb") as fh:
            po = read_po(fh, locale=locale, domain=DOMAIN)
        po.update(pot, no_fuzzy_matching=True)
        po.obsolete.clear()
        missing += [f"{locale}: {m.context + ' | ' if m.context else ''}{m.id}"
                    for m in po if m.id and (not m.string or m.fuzzy)]
        if check:
            continue
        for out, writer in ((path, write_po), (path.with_suffix(".mo"), write_mo)):
            buf = io.BytesIO()
            if writer is write_po:
                write_po(buf, po, width=0, omit_header=False, sort_output=False, include_lineno=False)
            else:
                write_mo(buf, po, use_fuzzy=False)
            out.write_bytes(buf.getvalue())
    if not check:
        buf = io.BytesIO()
        write_po(buf, pot, width=0, include_lineno=False)
        POT.write_bytes(buf.getvalue())
    return missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m perfscore.i18n.extract", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a message is untranslated")
    args = parser.parse_args(argv)
    missing = update(check=args.check)
    for line in missing:
        print(f"untranslated: {line}", file=sys.stderr)
    return 1 if missing and args.check else 0


if __name__ == "__main__":
    raise SystemExit(main())
