"""Excel workbooks (.xlsx, .xlsm, .xls) via python-calamine: every sheet, every form in it.

Cells become strings for :mod:`perfscore.readers.grid`: numbers through ``repr`` so that 22.873 stays
``22.873`` (never float arithmetic), whole numbers without ``.0``, a cell formatted as a percentage as
``45.75%``, dates in ISO form. Merged regions come from calamine (openpyxl when calamine cannot give
them for an .xlsx); a merged cell's value fills its region, and blank 一级/二级 cells read as "same as
above". A corrupt, encrypted or non-Excel file raises one :class:`ReadError` line naming the file.

Before calamine sees a workbook, its size is checked against the reader's `Limits`: an .xlsx's declared
uncompressed size and each worksheet's extent (:mod:`perfscore.readers.package`), an .xls sheet's extent
before it becomes Python values. calamine allocates a sheet's whole rectangle, so a few kilobytes can
ask for hundreds of gigabytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

from perfscore.errors import MissingDependency, ReadError
from perfscore.model import Document, SourceRef
from perfscore.readers import package
from perfscore.readers.grid import Grid, Merge, forms_from_grid
from perfscore.readers.limits import DEFAULT_LIMITS, Limits

__all__ = ["cell_text", "read"]

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A password-protected .docx or .xlsx is an OLE file holding an encrypted package: only its name tells
# which it was, so an encrypted file named as a Word document is called one.
WORD_SUFFIXES = {".docx", ".docm", ".doc", ".dotx"}
ENCRYPTED_WORD = "encrypted Word document: remove the password in Word and save it again"


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def cell_text(value: object, percent: bool = False) -> str:
    """One calamine cell value as the text a reader of the sheet sees (numbers exact, via repr)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return f"{Decimal(value) * 100}%" if percent else str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        number = Decimal(repr(value))
        if percent:
            return f"{_plain(number * 100)}%"
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return _plain(number)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def _check_container(path: Path) -> None:
    """Clear messages for the files calamine would reject with a cryptic one."""
    file = str(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 20)
    except OSError as exc:
        raise ReadError(file, f"cannot open: {exc.strerror or exc}") from None
    if not head:
        raise ReadError(file, "empty file, not an Excel workbook")
    if head.startswith(_OLE):
        if _utf16("EncryptedPackage") in head or _utf16("EncryptionInfo") in head:
            if path.suffix.lower() in WORD_SUFFIXES:  # encrypted, the package cannot say what it holds
                raise ReadError(file, ENCRYPTED_WORD)
            raise ReadError(file, "encrypted workbook: remove the password in Excel and save it again")
        if _utf16("WordDocument") in head:
            raise ReadError(file, "a Word .doc file, not an Excel workbook: save it as .docx")
        if _utf16("Workbook") not in head and _utf16("Book") not in head:
            raise ReadError(file, "an OLE file that is not an Excel workbook")
        return
    if head.startswith(b"PK"):
        return
    raise ReadError(file, "not an Excel workbook (neither .xlsx nor .xls content)")


def _check_workbook_size(path: Path, limits: Limits) -> None:
    """Refuse an .xlsx that declares more than the limits allow, or whose parts do not inflate to
    what they declare, before calamine allocates anything."""
    file = str(path)
    try:
        with zipfile.ZipFile(path) as zf:
            package.check_declared_size(zf, limits, file)
            try:
                sheet_of = {target: name for name, target in _sheet_targets(zf).items()}
            except (KeyError, ElementTree.ParseError, ValueError):
                sheet_of = {}
            for info in zf.infolist():
                if not info.filename.endswith(".xml") or info.is_dir():
                    continue
                rows, cols = package.sheet_extent(functools.partial(package.member_chunks, zf, info.filename))
                if rows * cols > limits.max_cells:
                    sheet = sheet_of.get(info.filename, info.filename)
                    raise ReadError(file, limits.sheet_too_big(rows, cols),
                                    where=f"sheet {sheet!r}")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, OSError, RuntimeError) as exc:
        raise ReadError(file, f"not a readable Excel workbook ({_first_line(exc)})") from None


def _percent_cells(path: Path) -> dict[str, set[tuple[int, int]]]:
    """Cells of each sheet whose number format is a percentage (xlsx only; {} when none or unknown)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "xl/styles.xml" not in names or "xl/workbook.xml" not in names:
                return {}
            styles = ElementTree.fromstring(zf.read("xl/styles.xml"))
            ns = {"m": styles.tag[1:].split("}")[0]} if styles.tag.startswith("{") else {"m": ""}
            pre = "m:" if ns["m"] else ""
            formats = {9: "0%", 10: "0.00%"}
            for fmt in styles.iterfind(f"{pre}numFmts/{pre}numFmt", ns):
                formats[int(fmt.get("numFmtId", "-1"))] = fmt.get("formatCode", "")
            percent_xf: set[str] = set()
            for index, xf in enumerate(styles.iterfind(f"{pre}cellXfs/{pre}xf", ns)):
                code = re.sub(r'"[^"]*"|\\.', "", formats.get(int(xf.get("numFmtId", "0")), ""))
                if "%" in code:
                    percent_xf.add(str(index))
            if not percent_xf:
                return {}
            targets = _sheet_targets(zf)
            out: dict[str, set[tuple[int, int]]] = {}
            cell_tag = re.compile(rb"<(?:\w+:)?c\b([^<>]*+)>")
            attr_r = re.compile(rb'\br="([A-Z]+)(\d+)"')
            attr_s = re.compile(rb'\bs="(\d+)"')
            for sheet, target in targets.items():
                if target not in names:
                    continue
                data = zf.read(target)
                cells: set[tuple[int, int]] = set()
                for m in cell_tag.finditer(data):
                    attrs = m.group(1)
                    s = attr_s.search(attrs)
                    if not s or s.group(1).decode() not in percent_xf:
                        continue
                    ref = attr_r.search(attrs)
                    if ref:
                        cells.add((int(ref.group(2)) - 1, _column_index(ref.group(1).decode())))
                if cells:
                    out[sheet] = cells
            return out
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError, OSError):
        return {}


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _sheet_targets(zf: zipfile.ZipFile) -> dict[str, str]:
    wb = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    by_id = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        by_id[rel.get("Id")] = target
    out = {}
    for el in wb.iter():
        if el.tag.endswith("}sheet") or el.tag == "sheet":
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            if rid in by_id:
                out[el.get("name", "")] = by_id[rid]
    return out


def _openpyxl_merges(path: Path) -> dict[str, list[Merge]]:
    try:
        import openpyxl
    except ImportError:
        return {}
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception:  # noqa: BLE001 - a fallback only: calamine already read the values
        return {}
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1)
                         for m in ws.merged_cells.ranges]
    wb.close()
    return out


def read(path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[Document]:
    file = str(path)
    try:
        import python_calamine
    except ImportError:
        raise MissingDependency(file, "python-calamine", "excel") from None
    _check_container(path)
    with path.open("rb") as fh:
        is_zip = fh.read(2) == b"PK"
    if is_zip:
        _check_workbook_size(path, limits)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(file)
    except getattr(python_calamine, "PasswordError", ()) as exc:
        raise ReadError(file, "encrypted workbook: remove the password in Excel and save it again") from exc
    except Exception as exc:  # noqa: BLE001 - calamine raises several error types for bad files
        raise ReadError(file, f"not a readable Excel workbook ({_first_line(exc)})") from None
    percent = _percent_cells(path) if is_zip else {}
    fallback_merges: dict[str, list[Merge]] | None = None
    forms = []
    try:
        worksheet_type = python_calamine.SheetTypeEnum.WorkSheet
        for meta in workbook.sheets_metadata:
            if meta.typ != worksheet_type:
                continue
            name = meta.name
            try:
                sheet = workbook.get_sheet_by_name(name)
                end = sheet.end or (-1, -1)
                height, width = end[0] + 1, end[1] + 1  # to_python fills from A1
                if height * width > limits.max_cells:
                    raise ReadError(file, limits.sheet_too_big(height, width),
                                    where=f"sheet {name!r}")
                rows = sheet.to_python(skip_empty_area=False)
            except ReadError:
                raise
            except Exception as exc:  # noqa: BLE001
                raise ReadError(file, f"cannot read the sheet ({_first_line(exc)})", where=f"sheet {name!r}") from None
            merges = getattr(sheet, "merged_cell_ranges", None)
            if merges is None and is_zip:
                if fallback_merges is None:
                    fallback_merges = _openpyxl_merges(path)
                spans = fallback_merges.get(name, [])
            else:
                spans = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in merges or ()]
            pct = percent.get(name, set())
            text_rows = [[cell_text(v, (r, c) in pct) for c, v in enumerate(row)] for r, row in enumerate(rows)]
            grid = Grid(file=file)
            grid.add_table(text_rows, spans, sheet=name)
            forms.extend(forms_from_grid(grid, hint=name))
    finally:
        close = getattr(workbook, "close", None)
        if close:
            close()
    if not forms:
        raise ReadError(file, "no self-evaluation form found (no 一级指标/三级指标 header in any sheet)")
    yield Document(forms=forms, source=SourceRef(file=file))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:160]
