"""Plain-text and Markdown 决算公开 documents: every 自评表 printed in them, plus the narrative counts.

Every text is read two ways. The tab/Word reading below knows the layouts of the seed documents and
their repairs; the loose reading (:func:`_read_loose`) recovers rows from any layout (pipes, one cell per
line, spaces, glued cells: :mod:`text_grid`, :mod:`text_glued`) and reads them with the grid interpreter,
taking figures stated only in the prose around a form (:mod:`text_context`). The reading with fewer
contradictions (:mod:`consistency`) is kept; when only one finds forms, that one.

A document is read whole. Forms are found by their title line (``…项目支出绩效自评表``,
``部门整体支出绩效自评表``, ``项目支出绩效目标完成情况(表)``), optionally behind Markdown ``#`` marks or a
tab and followed by ``(2023年度)`` on the same or the next lines; mentions in running text
(``附件：二级项目绩效自评表``, table-of-contents lines) are not titles, and a title with no table after it
is skipped. Each form runs to the next title.

Inside a form the rows come from :mod:`text_table` (tab-separated or Word-table layout), the funding
block from :mod:`text_funding`, the indicator rows from :mod:`text_indicators`. Repairs are recorded in
``Form.read_notes``:

* ``repair-label-shift``: a 一级/二级/三级 label printed in the wrong column or on the wrong row;
* ``repair-funding-shift``: funding numbers not under the header columns that name them;
* ``repair-number``: a garbled number (``3,21.0,13328``) read by placing its decimal point;
* ``funding-total-blank``: the 资金总额 row printed 0/blank while a 其中 row holds the amounts;
* ``read-incomplete``: part of a form could not be read (the rest of the form and document is kept).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from perfscore.errors import ReadError
from perfscore.model import Document, Form, Funding, Goals, NarrativeCounts, ReadNote, SourceRef
from perfscore.readers import text_numbers as num
from perfscore.readers.chinese import strip_pinyin, to_simplified
from perfscore.readers.consistency import anomalies
from perfscore.readers.encoding import decode
from perfscore.readers.grid import forms_from_grid
from perfscore.readers.grid_labels import GRADES
from perfscore.readers.text_context import fill_from_text
from perfscore.readers.text_grid import grid_from_text
from perfscore.readers.text_funding import FundingParser, is_funding_header
from perfscore.readers.text_indicators import Columns, IndicatorParser, is_indicator_header
from perfscore.readers.text_table import Row, detect_layout, norm, split_rows

_TITLE = re.compile(
    r"^(?P<title>.{0,80}?(?:绩效自评表|项目支出绩效目标完成情况表?))\s*+"
    r"(?:[（(]\s*+(?P<year>\d{4})\s*+年度?+\s*+[)）])?\s*+$"
)
_YEAR = re.compile(r"[（(]\s*(\d{4})\s*年度?\s*[)）]")
_NOT_TITLE = re.compile(r"[：:，,。；;…]|\.{3}|^附件")
_NAME_LABELS = ("项目名称", "项目支出名称", "预算部门名称", "部门名称", "单位名称")
_DEPT_LABELS = ("主管部门及代码", "主管部门", "主管部门名称")
_UNIT_LABELS = ("预算单位", "实施单位", "预算单位名称", "实施单位名称")
_FILLER = re.compile(r"填报单位\s*+[:：]\s*+(?:[（(]\s*+盖章\s*+[)）])?\s*+(?P<unit>[^\s（(]+)")
# a line's first goal label, then 实际完成 after it: trying each later label again would be quadratic
_GOALS = re.compile(r"(?m)^(?>.*?(?:年度目标|预期目标|总体目标|绩效目标|整体情况)).*实际完成")
_END_OF_TABLE = ("绩效分析", "自评结果分析", "项目绩效自评", "备注")


NO_FORM = "no 自评表 found"


def _read_loose(text: str, file: str) -> Document:
    """Forms in text whose tables are not tab- or Word-separated: pipes, one cell per line, spaces."""
    # mirrored copies: 項(xiàng)目 → 项目; printed punctuation and values otherwise kept as they are
    text = to_simplified(strip_pinyin(text))
    grid = grid_from_text(text, file)
    forms = forms_from_grid(grid)
    lines = re.split(r"\r\n|\r|\n", text)
    starts = [(f.source.line or 1) - 1 if f.source else 0 for f in forms]
    for k, form in enumerate(forms):
        lo = starts[k - 1] if k else 0
        hi = starts[k + 1] if k + 1 < len(forms) else len(lines)
        fill_from_text(form, "\n".join(lines[lo:hi]), SourceRef(file=file, line=lo + 1))
    for form in forms:
        if form.indicators and not _has_figures(form):
            # every digit lost (a page that stripped them): a form to check by hand, never one of zeros
            form.read_notes.append(ReadNote(code="read-incomplete", source=form.source,
                                            message="no figure could be read on this form: its digits are missing"))
    # a heading with nothing under it or around it is not a form (the tab reading says why, when it saw one)
    forms = [f for f in forms if f.indicators or (f.funding and f.funding.rows()) or f.reported_total is not None]
    if not forms:
        raise ReadError(file, NO_FORM)
    first = next((line.strip().lstrip("#").strip() for line in lines if line.strip()), None)
    return Document(title=first or None, forms=forms, narrative=find_narrative(lines, file),
                    source=SourceRef(file=file))


def _has_figures(form: Form) -> bool:
    """Does the form print any number at all (a weight, a score, an amount, a digit in a value)?"""
    if form.reported_total is not None or (form.funding and form.funding.rows()):
        return True
    return any(i.weight is not None or i.score is not None or any(
        ch.isdigit() for ch in f"{i.initial_target or ''}{i.adjusted_target or ''}{i.actual or ''}")
        for i in form.indicators)


@dataclass
class Title:
    index: int  # 0-based line index
    text: str
    kind: str
    year: int | None


# ---------------------------------------------------------------------------------------------- entry
def read(path: Path) -> Iterator[Document]:
    """Yield the one Document held in a .txt/.md file (every form found in it)."""
    file = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ReadError(file, f"cannot open: {exc.strerror or exc}") from None
    text, encoding = decode(data, file)
    doc = read_text(text, file)
    if encoding not in ("utf-8", "utf-8-sig", "ascii"):
        for form in doc.forms:  # say how the file was read: a wrong guess shows as mojibake
            form.read_notes.append(ReadNote(code="read-encoding", source=SourceRef(file=file),
                                            message=f"the file is not UTF-8; read as {encoding}"))
    yield doc


def read_text(text: str, file: str) -> Document:
    """The Document in already-decoded text (the PDF reader passes pages without tables here).

    Raises ReadError when no form is found or every form is unreadable.
    """
    try:
        try:
            doc = parse_text(text, file)
        except ReadError as exc:
            try:
                return _read_loose(text, file)
            except ReadError:
                raise exc from None
        try:
            loose = _read_loose(text, file)
        except ReadError:
            return doc
        # two readings of the same tables: keep the one whose arithmetic holds better
        better = len(loose.forms) >= len(doc.forms) and anomalies(loose.forms) < anomalies(doc.forms)
        return loose if better else doc
    except ReadError:
        raise
    except Exception as exc:  # never a traceback: one line naming the file
        raise ReadError(file, f"unexpected structure: {type(exc).__name__}: {exc}") from None


def parse_text(text: str, file: str) -> Document:
    lines = re.split(r"\r\n|\r|\n", text)
    found = find_titles(lines)
    ends = [t.index for t in found[1:]] + [len(lines)]
    titles = [t for t, end in zip(found, ends) if _has_table(lines, t, end)]
    if not titles:
        raise ReadError(file, NO_FORM)
    doc_year = _document_year(text)
    doc_refs = num.long_figures(text)
    forms: list[Form] = []
    failures: list[ReadError] = []
    for k, title in enumerate(titles):
        end = titles[k + 1].index if k + 1 < len(titles) else len(lines)
        table = len(forms) + 1
        try:
            form = FormReader(lines, title, end, file, table, doc_year, doc_refs).read()
        except ReadError as exc:
            failures.append(exc)
            form = _failed_form(title, file, table, doc_year, exc.detail, exc.form)
        except Exception as exc:  # one bad form must not lose the others
            failures.append(ReadError(file, f"unexpected structure: {exc}", form=title.text,
                                      where=f"line {title.index + 1}"))
            form = _failed_form(title, file, table, doc_year, f"unexpected structure: {exc}")
        forms.append(form)
    if len(failures) == len(forms):
        raise failures[0]
    first = next((line.strip().lstrip("#").strip() for line in lines if line.strip()), None)
    return Document(title=first or None, forms=forms, narrative=find_narrative(lines, file),
                    source=SourceRef(file=file))


def _failed_form(title: Title, file: str, table: int, year: int | None, message: str,
                 name: str | None = None) -> Form:
    """What is left of a form that could not be read: its title, and a note saying why."""
    src = SourceRef(file=file, table=table, line=title.index + 1)
    name = name or _name_from_title(title.text)
    return Form(kind=title.kind, name=name, title=title.text, year=title.year or year, source=src,
                read_notes=[ReadNote(code="read-incomplete", message=message, source=src)])


# ---------------------------------------------------------------------------------------------- titles
def find_titles(lines: list[str]) -> list[Title]:
    titles = []
    for i, line in enumerate(lines):
        s = line.strip(" \t\u3000").lstrip("#").strip(" \t\u3000")
        if not s or len(s) > 100:
            continue
        m = _TITLE.match(s)
        if not m:
            continue
        text = m.group("title").strip()
        if _NOT_TITLE.search(text):
            continue
        year = int(m.group("year")) if m.group("year") else _year_below(lines, i)
        kind = "department" if "部门整体" in text else "target_report" if "目标完成情况" in text else "project"
        titles.append(Title(i, text, kind, year))
    return titles


def _has_table(lines: list[str], title: Title, end: int) -> bool:
    """A title heads a form only when table cells follow it (not a mention or a contents line)."""
    cells = "".join(norm(line) for line in lines[title.index + 1:end] if "\t" in line or "|" in line)
    named = any(label in cells for label in _NAME_LABELS)
    return "一级指标" in cells or (named and "预算数" in cells)


def _year_below(lines: list[str], i: int) -> int | None:
    seen = 0
    for line in lines[i + 1:i + 6]:
        if not line.strip(" \t\u3000"):
            continue
        seen += 1
        m = _YEAR.search(line)
        if m and len(line.strip()) <= 80:
            return int(m.group(1))
        if seen >= 2:
            break
    return None


def _document_year(text: str) -> int | None:
    years = Counter(re.findall(r"(20\d{2})\s*年度", text)) or Counter(re.findall(r"(20\d{2})\s*年", text))
    return int(years.most_common(1)[0][0]) if years else None


# ---------------------------------------------------------------------------------------------- forms
class FormReader:
    """One form: the rows from its title to the next title, read into a Form with its read notes."""

    def __init__(self, lines: list[str], title: Title, end: int, file: str, table: int,
                 doc_year: int | None, doc_refs: list[Decimal]):
        self.title, self.file, self.table = title, file, table
        body = lines[title.index + 1:end]
        self.rows = split_rows(body, title.index + 2, detect_layout(body))
        self.year = title.year or doc_year
        self.doc_refs = doc_refs
        self.notes: list[ReadNote] = []

    def source(self, line: int | None) -> SourceRef:
        return SourceRef(file=self.file, table=self.table, line=line)

    def note(self, code: str, message: str, field: str | None = None, line: int | None = None) -> None:
        self.notes.append(ReadNote(code=code, message=message, field=field, source=self.source(line)))

    def _find(self, test, start: int = 0, stop: int | None = None) -> int | None:
        stop = len(self.rows) if stop is None else stop
        return next((i for i in range(start, stop) if not self.rows[i].text and test(self.rows[i])), None)

    def read(self) -> Form:
        rows, title = self.rows, self.title
        i_ind = self._find(is_indicator_header)
        limit = i_ind if i_ind is not None else len(rows)
        i_fund = self._find(lambda r: is_funding_header(r) or _pairs_row(r), 0, limit)
        i_goal = self._find(lambda r: bool(_GOALS.search(r.joined())), i_fund or 0, limit)
        head_end = min(i for i in (i_fund, i_goal, i_ind, len(rows)) if i is not None)
        name, department, unit = self._header(head_end)
        form = Form(kind=title.kind, name=name or _name_from_title(title.text), title=title.text,
                    department=department, unit=unit, year=self.year, source=self.source(title.index + 1))
        if i_fund is not None:
            form.funding = self._funding(i_fund, i_goal if i_goal is not None else limit)
        if i_goal is not None:
            form.goals = self._goals(i_goal, limit)
        if i_ind is None:
            if form.funding is None:
                raise ReadError(self.file, "no indicator table (一级指标/二级指标/三级指标) found",
                                form=form.name, where=f"line {title.index + 1}")
            self.note("read-incomplete", "no indicator table (一级指标/二级指标/三级指标) found", "indicators",
                      title.index + 1)
        else:
            self._indicators(form, i_ind)
        form.read_notes = self.notes
        return form

    # ------------------------------------------------------------------ header
    def _header(self, stop: int) -> tuple[str | None, str | None, str | None]:
        found: dict[str, str | None] = {}
        unit_missing = False
        rows = self.rows
        for k in range(stop):
            row = rows[k]
            if row.text:
                m = _FILLER.search(row.cells[0])
                if m:
                    found.setdefault("filler", m.group("unit"))
                continue
            cells = row.cells
            for i, cell in enumerate(cells):
                kind, inline = _label_kind(cell)
                if kind is None or kind in found:
                    continue
                value = inline or _value_after(cells, i)
                if kind == "unit" and not value:
                    unit_missing = True
                    continue
                found[kind] = value
                if kind == "department" and value and not inline and "unit" not in found:
                    j = cells.index(value, i + 1)
                    extra = _value_after(cells, j)
                    if extra and re.match(r"^\d{3,}\s*[-－—]", extra):
                        found["unit"] = extra
        if "unit" not in found and (unit_missing or "department" in found):
            for row in rows[stop:stop + 2]:
                first = row.first()
                if re.match(r"^\d{3,}\s*[-－—]", first):
                    found["unit"] = first
                    break
        unit = found.get("unit") or found.get("filler")
        return found.get("name"), found.get("department"), unit

    # ------------------------------------------------------------------ funding
    def _funding(self, start: int, stop: int) -> Funding | None:
        rows = self.rows
        parser = FundingParser(self.note, self.source, self.doc_refs)
        if _pairs_row(rows[start]):
            block = [r for r in rows[start:stop] if not r.text]
            return parser.parse([], block, inline_pairs=True)
        header = [rows[start]]
        k = start + 1
        while k < stop and not rows[k].text and is_funding_header(rows[k]):
            header.append(rows[k])
            k += 1
        data = [r for r in rows[k:stop] if not r.text and any(r.cells)]
        return parser.parse(header, data, inline_pairs=False)

    # ------------------------------------------------------------------ goals
    def _goals(self, start: int, stop: int) -> Goals | None:
        header = self.rows[start]
        achieved_col = next((i for i, c in enumerate(header.cells) if "实际完成" in norm(c)), None)
        for row in self.rows[start + 1:stop]:
            if row.text:
                continue
            texts = [(i, c) for i, c in enumerate(row.cells) if c]
            if not texts:
                continue
            if len(texts) >= 2:
                return Goals(expected=texts[0][1], achieved=" ".join(c for _, c in texts[1:]))
            i, c = texts[0]
            if achieved_col is not None and i >= achieved_col:
                return Goals(achieved=c)
            return Goals(expected=c)
        return None

    # ------------------------------------------------------------------ indicators and total
    def _indicators(self, form: Form, start: int) -> None:
        rows = self.rows
        parser = IndicatorParser(Columns.from_header(rows[start]), self.note, self.source)
        k = start + 1
        total_row = None
        while k < len(rows):
            row = rows[k]
            if row.text:
                if form.indicators:
                    break
                k += 1
                continue
            first = norm(row.first())
            if first.startswith("总分") or first in ("合计", "总计"):
                total_row = k
                break
            if form.indicators and any(word in first for word in _END_OF_TABLE):
                break
            if not is_indicator_header(row):
                indicator = parser.parse_row(row)
                if indicator is not None:
                    form.indicators.append(indicator)
            k += 1
        if total_row is not None:
            self._total(form, total_row)
        elif form.kind != "target_report":
            self.note("read-incomplete", "no 总分 row found after the indicators", "reported_total",
                      rows[k - 1].line if k - 1 < len(rows) else None)

    def _total(self, form: Form, k: int) -> None:
        candidates = [self.rows[k]]
        if k + 1 < len(self.rows) and not self.rows[k + 1].text:
            candidates.append(self.rows[k + 1])
        for row in candidates:
            numbers = [(i, num.leading_number(c)) for i, c in enumerate(row.cells)
                       if c and not norm(c).startswith("总分") and num.leading_number(c) is not None]
            if not numbers:
                if row is not candidates[0] and any(c and norm(c) not in GRADES for c in row.cells):
                    return
                continue
            at, form.reported_total = numbers[-1]
            grade = next((GRADES[norm(c)] for c in row.cells[at + 1:] if norm(c) in GRADES), None)
            form.reported_grade = grade
            return


def _pairs_row(row: Row) -> bool:
    """The 目标完成情况表 funding row: ``预算执行情况(万元) | 预算数: | 89.496 | 执行数: | 89.496``."""
    return any(norm(c).rstrip(":：") in ("预算数", "全年预算数") and norm(c)[-1:] in ":：" for c in row.cells)


def _label_kind(cell: str) -> tuple[str | None, str | None]:
    n = norm(cell)
    for kind, labels in (("name", _NAME_LABELS), ("department", _DEPT_LABELS), ("unit", _UNIT_LABELS)):
        for label in labels:
            if n == label or n == label + ":" or n == label + "：":
                return kind, None
            if n.startswith((label + ":", label + "：")):
                return kind, cell.split(":" if ":" in cell else "：", 1)[1].strip() or None
    return None, None


def _value_after(cells: list[str], i: int) -> str | None:
    for cell in cells[i + 1:]:
        if not cell:
            continue
        if _label_kind(cell)[0] is not None:
            return None
        return cell
    return None


def _name_from_title(title: str) -> str:
    return re.sub(r"(项目支出|部门整体支出)?绩效(自评表|目标完成情况表?)$", "", title) or title


# ---------------------------------------------------------------------------------------------- narrative
# Possessive spaces and numbers read from their first digit: these run on every line of a document, and
# a long run of digits or spaces must not be re-scanned from each of its characters.
_GRADE_COUNT = re.compile(
    r"(?<!\d)(\d++)\s*+个(?:项目|二级项目)?\s*+(?:的)?\s*+自评(?:等级|结果)?\s*+(?:为|是)\s*+[“\"'‘]?\s*+(优|良|中|差)")
_FORM_COUNT = (
    re.compile(r"(?:绩效)?自评个数\s*(\d+)\s*个"),
    re.compile(r"涉及二级项目\s*(\d+)\s*个"),
    re.compile(r"对\s*+(\d++)\s*+个项目(?:开展|进行)了?[^。，,；;]{0,80}?自评"),  # 自评 within one clause
)
_AMOUNT = (
    re.compile(r"涉及资金\s*([\d,]+(?:\.\d+)?)\s*万元"),
    re.compile(r"涉及二级项目\s*\d+\s*个\s*[，,]\s*资金\s*([\d,]+(?:\.\d+)?)\s*万元"),
)


def find_narrative(lines: list[str], file: str) -> NarrativeCounts | None:
    fallback = None
    for i, line in enumerate(lines):
        grades = list(_GRADE_COUNT.finditer(line))
        count = next((m for p in _FORM_COUNT for m in [p.search(line)] if m), None)
        if not grades and not count:
            continue
        amount = next((m for p in _AMOUNT for m in [p.search(line)] if m), None)
        start = count.start() if count else grades[0].start()
        stop = grades[-1].end() if grades else count.end()
        text = _sentences(line, start, stop)
        result = NarrativeCounts(
            forms=int(count.group(1)) if count else None,
            grades={m.group(2): int(m.group(1)) for m in grades},
            amount=num.parse_number(amount.group(1)) if amount else None,
            text=text, source=SourceRef(file=file, line=i + 1),
        )
        if grades:
            return result
        fallback = fallback or result
    return fallback


def _sentences(line: str, start: int, stop: int) -> str:
    begin = max(line.rfind("。", 0, start) + 1, 0)
    end = line.find("。", stop)
    return line[begin:(end + 1) if end >= 0 else len(line)].strip()
