"""Grids of cells → Forms: the layout logic shared by the Excel, Word and PDF readers.

Every tabular reader turns what it reads into a :class:`Grid`: rows of cell strings with merged regions
filled with the merged value (and the merge remembered), plus free-text rows (a Word paragraph or the
PDF text above a table) that can only carry a title, a year or a name. :func:`forms_from_grid` then finds
every form in it, in any position and any number per grid, by the labels the forms print:

* a title row (``…项目支出绩效自评表``, ``部门整体支出绩效自评表``, ``…绩效目标完成情况表``) and a year
  (``(2023年度)``), both optional;
* label/value rows (项目名称, 主管部门及代码, 预算单位/实施单位, 预算部门名称, …);
* the funding block, found by its header (年初预算数 [目标申报数 | 预算编制数], 全年预算数, 全年执行数,
  资金结(转)余, 分值, 执行率, 得分, 偏差原因…; or 预算数/执行数), one row per source, the first row
  (资金总额 / 年度资金总额) being the total;
* the goals block (年度目标 / 预期目标 | 实际完成情况) and its text rows;
* the indicator block, found by its header (一级指标 | 二级指标 | 三级指标 | …), one row per 三级指标,
  a blank or merged 一级/二级 cell meaning "same as above";
* the 总分 row with the grade beside it (in the next cell or two cells later).

Columns are mapped by header label, never by position, so extra columns (度量单位, 指标性质, a leading
caption column) and missing ones (a single 年度指标值 column) are handled. Numbers become Decimals
(``%``, ``分``, ``万元`` and thousands separators stripped). Repairs and gaps leave a
:class:`~perfscore.model.ReadNote`: ``repair-number`` (separators in impossible places dropped),
``repair-label-shift`` (a 三级/二级 label in the wrong column put back), ``read-incomplete`` (a number that
cannot be read, a form without a name).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from perfscore.model import Form, Funding, FundingRow, Goals, Indicator, ReadNote, SourceRef
from perfscore.values import default_vocabulary

Merge = tuple[int, int, int, int]
"""A merged region as (first row, first column, last row, last column), inclusive, 0-based."""

__all__ = [
    "Grid",
    "Merge",
    "forms_from_grid",
    "read_grid",
    "parse_decimal",
    "label_key",
    "join_lines",
]


# --------------------------------------------------------------------------------------------- text

def _simplified(text: str) -> str:
    """NFKC, then the vocabulary's normalisation (traditional → simplified, …): one place for both,
    indicators/vocabulary.yaml, so readers and the value parser read mirrored copies alike."""
    return default_vocabulary().normalise(unicodedata.normalize("NFKC", text))
_PAREN = re.compile(r"\([^()]*\)")
_KEY_DROP = re.compile(r"[\s:*#_\-—–.、]+")


@functools.lru_cache(maxsize=1 << 16)
def label_key(text: str) -> str:
    """A label reduced for matching: NFKC, simplified, no spaces, colons or parenthesised notes."""
    t = _simplified(text)
    t = _PAREN.sub("", t)
    return _KEY_DROP.sub("", t)


def _is_wide(ch: str) -> bool:
    return ord(ch) > 0x2E7F


def join_lines(text: str) -> str:
    """Join a cell's wrapped lines: no separator next to CJK text or digits, a space between words."""
    if "\n" not in text and "\r" not in text:
        return text.strip()
    parts = [p.strip() for p in re.split(r"\r\n|\r|\n", text)]
    parts = [p for p in parts if p]
    out = ""
    for part in parts:
        if out and out[-1].isascii() and out[-1].isalpha() and part[0].isascii() and part[0].isalpha():
            out += " "
        out += part
    return out


def _label(text: str) -> str:
    return join_lines(text).strip()


_LEVEL_WEIGHT = re.compile(r"\s*[（(]\s*\d+(?:\.\d+)?\s*分\s*[)）]\s*$")


def _level_label(text: str) -> str:
    """一级/二级 labels lose a printed weight note: "产出指标(50分)" → "产出指标"."""
    return _LEVEL_WEIGHT.sub("", _label(text)) or _label(text)


# ------------------------------------------------------------------------------------------ numbers

_MISSING = {"", "-", "--", "—", "——", "–", "/", "／", "\\", "…", "……", "...", "无", "未填报", "不适用",
            "n/a", "N/A", "NA", "——", "空"}
_FILLER = re.compile(r"[-—–/\\.…·_~～]+")
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
_REPAIRABLE = re.compile(r"[+-]?[\d,.]*\d[\d,.]*")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_UNIT_TAIL = re.compile(r"(?:%|％|‰|分|万元|元|万|个百分点|百分点)$")


def parse_decimal(text: str | None) -> tuple[Decimal | None, str | None]:
    """Read a printed number: ``(value, status)``; status is None, ``"repaired"`` or ``"unreadable"``.

    Strips spaces, ``%``, ``分``, ``万元``/``元``, currency signs and thousands separators; full-width
    digits are accepted. Blank and the usual "missing" marks (``/``, ``-``, ``……``) give ``(None, None)``.
    Separators in impossible places (``3,21.0,13328``) are dropped and reported as repaired.
    """
    if text is None:
        return None, None
    t = unicodedata.normalize("NFKC", str(text)).strip()
    t = re.sub(r"\s+", "", t)
    if t in _MISSING or _FILLER.fullmatch(t):
        return None, None
    t = t.lstrip("¥￥$")
    for _ in range(2):
        t = _UNIT_TAIL.sub("", t)
    if t in _MISSING:
        return None, None
    try:
        if _NUMBER.fullmatch(t):
            return Decimal(t.replace(",", "")), None
        if _REPAIRABLE.fullmatch(t) and _PLAIN_NUMBER.fullmatch(t.replace(",", "")):
            return Decimal(t.replace(",", "")), "repaired"
    except InvalidOperation:  # pragma: no cover - the patterns only admit valid numbers
        pass
    return None, "unreadable"


def _plain(value: Decimal) -> str:
    return format(value, "f")


# ------------------------------------------------------------------------------------------- grid


@dataclass
class Grid:
    """Rows of cell strings from one file, with merges remembered and where each row came from.

    Build it with :meth:`add_table` (a table's rows plus its merged regions; covered cells get the merged
    value) and :meth:`add_text` (free-text lines such as a title paragraph). Tables are stacked one below
    the other, so a form that continues on the next PDF page or in the next Word table reads on.
    """

    file: str | None = None
    cells: list[list[str]] = field(default_factory=list)
    covered: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    refs: list[tuple[str | None, int | None, int | None, int | None]] = field(default_factory=list)
    text_rows: set[int] = field(default_factory=set)
    guess_merges: set[int] = field(default_factory=set)
    _distinct: dict[int, list[tuple[int, str]]] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.cells)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.cells), default=0)

    def add_table(self, rows: Sequence[Sequence[object]], merges: Iterable[Merge] | None = None, *,
                  sheet: str | None = None, page: int | None = None, table: int | None = None,
                  first_row: int = 1) -> None:
        """Append a table. ``merges`` are regions relative to ``rows``; ``None`` means unknown (the cells
        may already hold merged values: equal neighbours in label rows are then read as one cell)."""
        self._distinct.clear()
        base = len(self.cells)
        block = [["" if v is None else str(v).strip() for v in row] for row in rows]
        for r0, c0, r1, c1 in merges or ():
            if r1 < r0 or c1 < c0 or r0 < 0 or c0 < 0:
                continue
            while len(block) <= r1:
                block.append([])
            value = block[r0][c0] if c0 < len(block[r0]) else ""
            for r in range(r0, r1 + 1):
                row = block[r]
                if len(row) <= c1:
                    row.extend([""] * (c1 + 1 - len(row)))
                for c in range(c0, c1 + 1):
                    if (r, c) != (r0, c0):
                        row[c] = value
                        self.covered[(base + r, c)] = (base + r0, c0)
        for index, row in enumerate(block):
            self.cells.append(row)
            self.refs.append((sheet, page, table, first_row + index))
            if merges is None:
                self.guess_merges.add(base + index)

    def add_text(self, lines: Iterable[str], *, sheet: str | None = None, page: int | None = None,
                 table: int | None = None) -> None:
        """Append free-text lines (a title paragraph, the text above a PDF table): title/year/name only."""
        for line in lines:
            line = line.strip()
            if not line:
                continue
            self.text_rows.add(len(self.cells))
            self.cells.append([line])
            self.refs.append((sheet, page, table, None))

    # -- access -----------------------------------------------------------------------------------

    def cell(self, r: int, c: int) -> str:
        row = self.cells[r]
        return row[c] if 0 <= c < len(row) else ""

    def covered_from_left(self, r: int, c: int) -> bool:
        origin = self.covered.get((r, c))
        if origin is not None:
            return origin[1] < c
        if r in self.guess_merges and c > 0:
            value = self.cell(r, c)
            return value != "" and value == self.cell(r, c - 1)
        return False

    def covered_from_above(self, r: int, c: int, top: int | None = None) -> bool:
        """True when (r, c) repeats a merged cell that starts on an earlier row (at or after ``top``)."""
        origin = self.covered.get((r, c))
        if origin is not None:
            return origin[0] < r and (top is None or origin[0] >= top)
        if r in self.guess_merges and r > 0 and (r - 1) in self.guess_merges:
            value = self.cell(r, c)
            return value != "" and value == self.cell(r - 1, c) and (top is None or r - 1 >= top)
        return False

    def distinct(self, r: int) -> list[tuple[int, str]]:
        """Non-empty cells of row r, each merged cell once (at its first column)."""
        cached = self._distinct.get(r)
        if cached is None:
            cached = [(c, v) for c, v in enumerate(self.cells[r]) if v and not self.covered_from_left(r, c)]
            self._distinct[r] = cached
        return cached

    def ref(self, r: int, form_index: int | None = None) -> SourceRef:
        sheet, page, table, row = self.refs[r]
        if table is None:
            table = form_index
        return SourceRef(file=self.file, sheet=sheet, page=page, table=table, row=row)


# ------------------------------------------------------------------------------------- vocabulary

_NAME_LABELS = {"项目名称", "项目支出名称", "预算项目名称", "二级项目名称", "项目名", "预算部门名称", "部门名称",
                "单位名称", "预算单位名称", "部门单位名称"}
_DEPT_NAME_LABELS = {"预算部门名称", "部门名称", "部门单位名称"}
_DEPT_LABELS = {"主管部门及代码", "主管部门", "主管部门名称", "主管单位", "主管部门代码", "主管部门及编码"}
_UNIT_LABELS = {"预算单位", "实施单位", "项目实施单位", "预算单位及代码", "实施单位名称", "项目单位"}
_GOAL_EXPECTED = {"年度目标", "预期目标", "总体目标", "年度总体目标", "年度绩效目标", "项目年度绩效目标",
                  "绩效目标", "项目绩效目标", "计划目标", "年初目标", "年度预期目标", "预期绩效目标"}
_TOTAL_KEYS = {"总分", "合计", "总计", "综合得分", "自评总分", "总得分", "得分合计", "合计得分", "自评得分合计"}
_GRADE_KEYS = ("自评等级", "评价等级", "绩效等级", "评定等级", "等级", "自评结果", "评价结果")
_STOP_PREFIXES = ("项目绩效分析", "项目支出绩效分析", "绩效分析", "自评结果分析", "备注", "说明", "填表说明",
                  "填报人", "填表人", "联系电话", "单位负责人", "财务负责人", "审核人", "绩效自评结论")
_GRADE = re.compile(r"^(优秀|优|良好|良|中等|中|差|较差|合格|不合格|及格|不及格|一般)$")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年度?")
_YEAR_ONLY = re.compile(r"^[（(]?\s*((?:19|20)\d{2})\s*年度?\s*[)）]?$")
_YEAR_PAREN = re.compile(r"\s*[（(]\s*((?:19|20)\d{2})\s*年度?\s*[)）]\s*")
_TITLE = re.compile(
    r"(自评表|自评情况表|完成情况表|绩效目标表|绩效评价表|绩效目标完成情况)\s*([（(]\s*\d{4}\s*年度?\s*[)）])?\s*$")
_TITLE_SUFFIX = re.compile(
    r"(?:项目支出|部门整体支出|整体支出|部门|项目)?(?:绩效)?(?:自评表|自评情况表|目标完成情况表?|完成情况表|绩效评价表)$")
_ATTACHMENT = re.compile(r"^附件\s*[\d一二三四五六七八九十]*\s*[:：]?\s*")
_UNIT_IN_CAPTION = re.compile(r"[（(]\s*(万元|元|千元|亿元)\s*[)）]")
_LEVEL2_ONLY = {"数量指标", "质量指标", "时效指标", "经济效益指标", "社会效益指标", "生态效益指标",
                "可持续影响指标", "可持续发展指标", "服务对象满意度指标", "社会公众满意度指标"}
_INLINE_AMOUNT = re.compile(r"^(?:其中\s*[:：]?\s*)?(?P<label>[^:：]+?)\s*[:：]\s*(?P<num>[+-]?[\d,]+(?:\.\d+)?)\s*(?:万元)?$")


@functools.lru_cache(maxsize=4096)
def _funding_field(k: str) -> str | None:
    if k in ("目标申报数", "申报数", "目标申报"):
        return "target_declared"
    if k in ("预算编制数", "编制数", "预算编制"):
        return "budget_compiled"
    if k.startswith("年初预算") or k in ("年初数", "年初安排数", "年初预算安排"):
        return "initial_budget"
    if k.startswith("全年预算") or k in ("预算数", "调整后预算数", "全年调整预算数", "调整预算数", "全年预算安排"):
        return "annual_budget"
    if k.startswith("全年执行") or k in ("执行数", "实际执行数", "全年实际执行数", "实际支出数", "全年实际支出",
                                          "实际支出", "支出数", "决算数", "全年支出数"):
        return "executed"
    if "结" in k and "余" in k and len(k) <= 8:
        return "balance"
    if k in ("分值", "权重", "分值权重"):
        return "weight"
    if k.startswith("执行率") or k == "预算执行率":
        return "execution_rate"
    if k in ("得分", "自评得分", "评分"):
        return "score"
    if k.startswith("偏差") or ("原因" in k and len(k) <= 14):
        return "deviation_reason"
    return None


_INITIAL_TARGET_KEYS = {"年初指标值", "年度指标值", "预期指标值", "指标值", "年度目标值", "目标值", "预期目标值",
                        "年初目标值", "计划指标值", "年度指标", "绩效指标值", "年初设定指标值", "年初预期指标值",
                        "预期值", "年度计划值", "计划值", "目标指标值"}
_ACTUAL_KEYS = {"实际值", "完成值", "全年实际值", "实际完成值", "实际指标值", "实际完成情况", "全年实际完成值",
                "实际完成", "完成情况"}


@functools.lru_cache(maxsize=4096)
def _indicator_field(k: str) -> str | None:
    if k.startswith("一级指标"):
        return "level1"
    if k.startswith("二级指标"):
        return "level2"
    if k.startswith("三级指标") or k in ("指标名称", "三级指标名称"):
        return "level3"
    if "调整" in k and ("指标" in k or "目标" in k or k.endswith("值")):
        return "adjusted_target"
    if k in _INITIAL_TARGET_KEYS or (k.startswith(("年初", "预期", "年度")) and k.endswith("值")):
        return "initial_target"
    if k in _ACTUAL_KEYS or (k.startswith("实际完成") and "原因" not in k):
        return "actual"
    if k in ("分值", "权重", "指标分值", "分值权重", "权重分值", "指标权重"):
        return "weight"
    if k in ("得分", "自评得分", "评分", "评价得分", "指标得分"):
        return "score"
    if k.startswith("偏差") or ("原因" in k and len(k) <= 14):
        return "deviation_reason"
    if k in ("度量单位", "计量单位", "单位"):
        return "measure_unit"
    if k in ("指标性质", "指标方向", "指标类型"):
        return "nature"
    return None


def _looks_like_level(text: str) -> bool:
    return "指标" in text and len(text) <= 16


# --------------------------------------------------------------------------------------- builder


@dataclass
class _ColumnMap:
    fields: dict[str, list[int]]
    header_rows: int

    def first(self, name: str) -> int | None:
        cols = self.fields.get(name)
        return cols[0] if cols else None


def _match_header(grid: Grid, r: int, matcher: Callable[[str], str | None]) -> _ColumnMap:
    """Map fields to columns from the header at row r and, when present, its sub-header at r + 1."""
    sub: int | None = None
    if r + 1 < len(grid) and r + 1 not in grid.text_rows:
        hits = 0
        ok = True
        for c, value in grid.distinct(r + 1):
            if grid.covered_from_above(r + 1, c, top=r):
                continue
            k = label_key(value)
            top = label_key(grid.cell(r, c))
            if matcher(k) or matcher(k + top) or matcher(top + k):
                hits += 1
            else:
                ok = False
                break
        if ok and hits:
            sub = r + 1
    fields: dict[str, list[int]] = {}
    for c in range(len(grid.cells[r])):
        top = label_key(grid.cell(r, c))
        name = None
        if sub is not None and not grid.covered_from_above(sub, c, top=r):
            k = label_key(grid.cell(sub, c))
            if k:
                name = matcher(k) or matcher(k + top) or matcher(top + k)
        if name is None and top:
            name = matcher(top)
        if name:
            fields.setdefault(name, []).append(c)
    return _ColumnMap(fields, 2 if sub is not None else 1)


def _indicator_header(grid: Grid, r: int) -> bool:
    found = {_indicator_field(label_key(v)) for _, v in grid.distinct(r)}
    return ("level3" in found and ("level1" in found or "level2" in found)) or (
        "level1" in found and "level2" in found)


def _funding_header(grid: Grid, r: int) -> bool:
    found = [_funding_field(label_key(v)) for _, v in grid.distinct(r)]
    known = {f for f in found if f}
    return bool(known & {"annual_budget", "executed"}) and len(known) >= 2


@dataclass
class _Builder:
    grid: Grid
    first_row: int
    index: int
    title: str | None = None
    name: str | None = None
    name_label: str | None = None
    department: str | None = None
    unit: str | None = None
    year: int | None = None
    stage: str = "head"  # head, funding, goals, indicators, done
    fund_map: _ColumnMap | None = None
    fund_labels: list[int] = field(default_factory=list)
    fund_pair: dict[str, int] | None = None
    fund_pair_label: int | None = None
    funding: Funding | None = None
    goals: Goals | None = None
    goal_cols: tuple[int, int] | None = None
    goal_parts: tuple[list[str], list[str]] = field(default_factory=lambda: ([], []))
    ind_map: _ColumnMap | None = None
    indicators: list[Indicator] = field(default_factory=list)
    carry1: str | None = None
    carry2: str | None = None
    total: Decimal | None = None
    grade: str | None = None
    notes: list[ReadNote] = field(default_factory=list)

    @property
    def has_body(self) -> bool:
        return self.fund_map is not None or self.fund_pair is not None or self.ind_map is not None or (
            self.goal_cols is not None)

    def ref(self, r: int) -> SourceRef:
        return self.grid.ref(r, self.index)

    def number(self, text: str, fieldname: str, r: int, raw: dict[str, str] | None = None,
               key: str | None = None) -> Decimal | None:
        value, status = parse_decimal(text)
        if status == "repaired":
            self.notes.append(ReadNote(code="repair-number", field=fieldname, source=self.ref(r),
                                       message=f"number {text!r} read as {_plain(value)}"))  # type: ignore[arg-type]
        elif status == "unreadable":
            self.notes.append(ReadNote(code="read-incomplete", field=fieldname, source=self.ref(r),
                                       message=f"cannot read {text!r} as a number"))
        if status and raw is not None and key:
            raw[key] = text
        return value

    # -- head ---------------------------------------------------------------------------------------

    def set_title(self, text: str) -> None:
        text = _ATTACHMENT.sub("", _label(text))
        m = _YEAR_PAREN.search(text)
        if m:
            self.year = self.year or int(m.group(1))
            text = (text[:m.start()] + text[m.end():]).strip()
        self.title = text or None

    def label_values(self, r: int) -> None:
        cells = self.grid.distinct(r)
        i = 0
        while i < len(cells):
            c, value = cells[i]
            k = label_key(value)
            inline = None
            if k not in _NAME_LABELS | _DEPT_LABELS | _UNIT_LABELS:
                m = re.match(r"^([^:：]{2,10})\s*[:：]\s*(.+)$", _label(value))
                if m and label_key(m.group(1)) in _NAME_LABELS | _DEPT_LABELS | _UNIT_LABELS:
                    k, inline = label_key(m.group(1)), m.group(2).strip()
                else:
                    i += 1
                    continue
            if inline is None:
                nxt = cells[i + 1][1] if i + 1 < len(cells) else ""
                if nxt and label_key(nxt) in _NAME_LABELS | _DEPT_LABELS | _UNIT_LABELS:
                    nxt = ""
                else:
                    i += 1
                inline = _label(nxt) if nxt else None
            i += 1
            if k in _NAME_LABELS:
                self.name, self.name_label = inline or self.name, k
            elif k in _DEPT_LABELS:
                self.department = inline or self.department
            else:
                self.unit = inline or self.unit

    # -- funding ------------------------------------------------------------------------------------

    def start_funding(self, r: int) -> int:
        grid = self.grid
        self.stage = "funding"
        self.funding = self.funding or Funding()
        distinct = grid.distinct(r)
        caption = ""
        cmap = _match_header(grid, r, _funding_field)
        value_cols = sorted(c for cols in cmap.fields.values() for c in cols)
        first_value = value_cols[0] if value_cols else 0
        for c, v in distinct:
            if c < first_value:
                caption = v
                break
        m = _UNIT_IN_CAPTION.search(unicodedata.normalize("NFKC", " ".join(v for _, v in distinct)))
        if m:
            self.funding.unit = m.group(1)
        # Pair layout (预算数: | 89.496 | 执行数: | 89.496): the values sit beside the labels.
        pair: dict[str, int] = {}
        for i, (c, v) in enumerate(distinct):
            name = _funding_field(label_key(v))
            if name in ("annual_budget", "executed") and i + 1 < len(distinct):
                nc, nv = distinct[i + 1]
                if parse_decimal(nv)[0] is not None and _funding_field(label_key(nv)) is None:
                    pair[name] = nc
                    if name == "annual_budget":
                        self.fund_pair_label = c
        if pair:
            self.fund_pair = pair
            label = join_lines(caption)
            label = _UNIT_IN_CAPTION.sub("", unicodedata.normalize("NFKC", label)).strip() or "资金总额"
            self.add_funding_row(r, label, {k: grid.cell(r, c) for k, c in pair.items()})
            return 1
        self.fund_map = cmap
        self.fund_labels = [c for c in range(first_value)]
        return cmap.header_rows

    def funding_row(self, r: int) -> None:
        grid = self.grid
        if self.fund_pair is not None:
            label_col = self.fund_pair_label if self.fund_pair_label is not None else 0
            label = grid.cell(r, label_col)
            if not label:
                for c, v in grid.distinct(r):
                    if c < min(self.fund_pair.values()):
                        label = v
            self.add_funding_row(r, label, {k: grid.cell(r, c) for k, c in self.fund_pair.items()})
            return
        assert self.fund_map is not None
        label = ""
        for c in self.fund_labels:
            v = grid.cell(r, c)
            # the block caption merged down over the rows is not a label
            if v and not grid.covered_from_left(r, c) and not grid.covered_from_above(r, c):
                label = v
                break
        values: dict[str, str] = {}
        for name, cols in self.fund_map.fields.items():
            for c in cols:
                v = grid.cell(r, c)
                if v:
                    values[name] = v
                    break
        amounts = {k: v for k, v in values.items() if k != "deviation_reason"}
        if not any(parse_decimal(v)[0] is not None for v in amounts.values()):
            # 其中 rows printed as "一般公共预算：321.013328" inside the cells
            inline = [m for m in (_INLINE_AMOUNT.match(join_lines(v)) for _, v in grid.distinct(r)) if m]
            if inline:
                for m in inline:
                    self.add_funding_row(r, m.group("label"), {"annual_budget": m.group("num")})
                return
            clean = _clean_fund_label(label)
            if not clean or clean.endswith("分"):
                return  # "其中：", "按收入性质分：": headings, not rows
            if amounts and not any(re.search(r"\d", v) for v in amounts.values()):
                return  # words in the amount columns (a second heading column), no figures at all
        self.add_funding_row(r, label, values)

    def add_funding_row(self, r: int, label: str, values: dict[str, str]) -> None:
        assert self.funding is not None
        clean = _clean_fund_label(label)
        is_total = self.funding.total is None and not self.funding.breakdown and (
            not re.match(r"^\s*其中", _label(label)))
        if not is_total and self.funding.total is None and re.search(r"总额|合计|总计", clean):
            is_total = True
        where = "funding.total" if is_total else f"funding.breakdown[{len(self.funding.breakdown)}]"
        row = FundingRow(label=clean, source=self.ref(r))
        for name, text in values.items():
            if name == "deviation_reason":
                row.deviation_reason = text.strip() or None
            else:
                setattr(row, name, self.number(text, f"{where}.{name}", r, row.raw, name))
        empty = all(getattr(row, n) is None for n in (
            "target_declared", "budget_compiled", "initial_budget", "annual_budget", "executed", "balance",
            "weight", "execution_rate", "score", "deviation_reason"))
        if is_total:
            if empty and clean in ("资金总额", "年度资金总额", ""):
                # a placeholder total with nothing in it: the form has no total row figures
                return
            self.funding.total = row
        else:
            self.funding.breakdown.append(row)

    # -- goals --------------------------------------------------------------------------------------

    def start_goals(self, r: int, exp_col: int, act_col: int) -> None:
        self.stage = "goals"
        self.goals = self.goals or Goals()
        self.goal_cols = (exp_col, act_col)
        grid = self.grid
        # inline: 年度目标 | text | 实际完成情况 | text
        distinct = grid.distinct(r)
        exp = [v for c, v in distinct if exp_col < c < act_col]
        act = [v for c, v in distinct if c > act_col]
        if exp or act:
            self.goal_parts[0].extend(exp[:1])
            self.goal_parts[1].extend(act[:1])

    def goal_row(self, r: int) -> None:
        assert self.goal_cols is not None
        exp_col, act_col = self.goal_cols
        grid = self.grid
        for part, lo, hi in ((self.goal_parts[0], exp_col, act_col), (self.goal_parts[1], act_col, 10 ** 6)):
            for c in range(lo, min(hi, len(grid.cells[r]))):
                v = grid.cell(r, c)
                if not v or grid.covered_from_left(r, c) and c != lo:
                    continue
                if grid.covered_from_above(r, c):
                    break
                part.append(v)
                break

    # -- indicators ---------------------------------------------------------------------------------

    def start_indicators(self, r: int) -> int:
        self.stage = "indicators"
        self.ind_map = _match_header(self.grid, r, _indicator_field)
        return self.ind_map.header_rows

    def indicator_row(self, r: int) -> None:
        grid = self.grid
        cmap = self.ind_map
        assert cmap is not None
        values: dict[str, str] = {}
        for name, cols in cmap.fields.items():
            for c in cols:
                v = grid.cell(r, c)
                if v:
                    values[name] = v
                    break
        c1, c2 = cmap.first("level1"), cmap.first("level2")
        l1 = _level_label(values.pop("level1", ""))
        l2 = _level_label(values.pop("level2", ""))
        l3 = _label(values.pop("level3", ""))
        if not values and not l3:
            # a label-only row (一级 caption on its own row) updates "same as above"
            if l1:
                if l1 != self.carry1:
                    self.carry2 = None
                self.carry1 = l1
            if l2:
                self.carry2 = l2
            return
        index = len(self.indicators)
        if not l3:
            if l2 and not _looks_like_level(l2) and not (c2 is not None and grid.covered_from_above(r, c2)):
                l3, l2 = l2, ""
            elif l1 and not _looks_like_level(l1) and not (c1 is not None and grid.covered_from_above(r, c1)):
                l3, l1 = l1, ""
            if l3:
                self.notes.append(ReadNote(code="repair-label-shift", field=f"indicators[{index}].level3",
                                           source=self.ref(r),
                                           message=f"三级指标 {l3!r} printed in the 一级/二级 column"))
            else:
                self.notes.append(ReadNote(code="repair-label-shift", field=f"indicators[{index}].level3",
                                           source=self.ref(r), message="row has values but no 三级指标"))
        if l1 and not l2 and l1 in _LEVEL2_ONLY and self.carry1 and l1 != self.carry1 and (
                c1 is not None and not grid.covered_from_above(r, c1)):
            self.notes.append(ReadNote(code="repair-label-shift", field=f"indicators[{index}].level2",
                                       source=self.ref(r),
                                       message=f"二级指标 {l1!r} printed in the 一级指标 column"))
            l1, l2 = "", l1
        if l1 and l1 != self.carry1:
            self.carry2 = None
        level1 = l1 or self.carry1
        level2 = l2 or self.carry2
        self.carry1, self.carry2 = level1, level2
        ind = Indicator(level1=level1 or None, level2=level2 or None, level3=l3, source=self.ref(r))
        for name in ("initial_target", "adjusted_target", "actual", "deviation_reason", "measure_unit",
                     "nature"):
            if name in values:
                setattr(ind, name, values[name])
        for name in ("weight", "score"):
            if name in values:
                setattr(ind, name, self.number(values[name], f"indicators[{index}].{name}", r))
        self.indicators.append(ind)

    # -- total --------------------------------------------------------------------------------------

    def total_row(self, r: int) -> None:
        grid = self.grid
        self.stage = "done"
        distinct = grid.distinct(r)[1:]
        total_col = None
        score_col = self.ind_map.first("score") if self.ind_map else None
        if score_col is not None and grid.cell(r, score_col):
            text = grid.cell(r, score_col)
            m = re.match(r"^\s*([\d.,]+)\s*(?:分)?\s*[（(]\s*(\S+?)\s*[)）]\s*$", text)
            if m and _GRADE.match(m.group(2)):
                text, self.grade = m.group(1), m.group(2)
            value, status = parse_decimal(text)
            if value is not None:
                self.total = self.number(text, "reported_total", r)
                total_col = score_col
        if total_col is None:
            numeric = [(c, v) for c, v in distinct if parse_decimal(v)[0] is not None]
            if numeric:
                total_col, text = numeric[-1]
                self.total = self.number(text, "reported_total", r)
        after = [v for c, v in distinct if total_col is None or c > total_col]
        for v in after[:2]:
            grade = _grade(v)
            if grade:
                self.grade = self.grade or grade
                break

    def grade_row(self, r: int) -> bool:
        distinct = self.grid.distinct(r)
        if not distinct:
            return False
        k = label_key(distinct[0][1])
        if not k.startswith(_GRADE_KEYS):
            return False
        inline = _grade(distinct[0][1])
        for _, v in distinct[1:3]:
            inline = inline or _grade(v)
        if inline:
            self.grade = self.grade or inline
        return True

    # -- result -------------------------------------------------------------------------------------

    def build(self, hint: str | None) -> Form | None:
        if self.ind_map is None and self.funding is None and not self.indicators:
            return None
        if self.goal_cols is not None and self.goals is not None:
            exp, act = self.goal_parts
            self.goals.expected = "\n".join(exp) or None
            self.goals.achieved = "\n".join(act) or None
        title = self.title or ""
        kind = "project"
        if "部门整体" in title or "整体支出" in title or self.name_label in _DEPT_NAME_LABELS:
            kind = "department"
        elif "目标完成情况" in title or (self.ind_map is not None and not (
                {"weight", "score"} & set(self.ind_map.fields))):
            kind = "target_report"
        name = self.name
        if not name and self.title:
            derived = _TITLE_SUFFIX.sub("", self.title).strip()
            name = derived or None
        if not name:
            name = hint or ""
            self.notes.append(ReadNote(code="read-incomplete", source=self.ref(self.first_row),
                                       message=f"no 项目名称 found; named {name!r}" if name
                                       else "no 项目名称 found"))
        return Form(kind=kind, name=name, title=self.title, department=self.department, unit=self.unit,
                    year=self.year, funding=self.funding, goals=self.goals, indicators=self.indicators,
                    reported_total=self.total, reported_grade=self.grade, source=self.ref(self.first_row),
                    read_notes=self.notes)


def _clean_fund_label(label: str) -> str:
    t = _label(label)
    t = re.sub(r"^其中\s*[-—:：、,，]?\s*", "", t)
    t = re.sub(r"[:：]\s*$", "", t)
    return t.strip()


def _grade(text: str) -> str | None:
    t = _simplified(_label(text))
    t = re.sub(r"^(自评等级|评价等级|绩效等级|评定等级|等级|自评结果|评价结果)\s*[:：]?\s*", "", t)
    t = re.sub(r"\s+", "", t)
    return t if _GRADE.match(t) else None


def _goal_columns(grid: Grid, r: int) -> tuple[int, int] | None:
    exp = act = None
    for c, v in grid.distinct(r):
        k = label_key(v)
        if act is None and k.startswith("实际完成") and exp is not None:
            act = c
        elif act is None and k in _GOAL_EXPECTED:
            exp = c
    if exp is not None and act is not None:
        return exp, act
    return None


def _row_text(grid: Grid, r: int) -> str:
    return " ".join(v for _, v in grid.distinct(r))


def _title_text(grid: Grid, r: int) -> str | None:
    cells = grid.distinct(r)
    if not cells or len(cells) > 3:
        return None
    text = _label(cells[0][1])
    if len(text) > 80 or not _TITLE.search(_simplified(text)):
        return None
    if label_key(text).startswith(_STOP_PREFIXES):
        return None
    return text


def _year_only(grid: Grid, r: int) -> int | None:
    cells = grid.distinct(r)
    if not cells or len(cells) > 2:
        return None
    for _, v in cells:
        m = _YEAR_ONLY.match(unicodedata.normalize("NFKC", _label(v)))
        if m:
            return int(m.group(1))
    return None


_LABEL_COLON = re.compile(r"^([^:：]{2,10})\s*[:：]")


@functools.lru_cache(maxsize=1 << 14)
def _names_form(value: str) -> bool:
    """Is this cell a 项目名称 label (alone, or as "项目名称：…")?"""
    if label_key(value) in _NAME_LABELS:
        return True
    m = _LABEL_COLON.match(value.strip())
    return bool(m and label_key(m.group(1)) in _NAME_LABELS)


def _is_name_row(grid: Grid, r: int) -> bool:
    return any(_names_form(v) for _, v in grid.distinct(r))


def _is_label_row(grid: Grid, r: int) -> bool:
    return any(label_key(v) in _DEPT_LABELS | _UNIT_LABELS for _, v in grid.distinct(r))


def _opens_form(grid: Grid, r: int) -> bool:
    """Does the next table row from r start a form (name, label or funding header rows)?"""
    while r < len(grid) and (r in grid.text_rows or not grid.distinct(r)):
        r += 1
    if r >= len(grid):
        return False
    return _is_name_row(grid, r) or _is_label_row(grid, r) or _funding_header(grid, r) or (
        _title_text(grid, r) is not None)


def forms_from_grid(grid: Grid, *, hint: str | None = None) -> list[Form]:
    """Every form found in ``grid``, top to bottom. ``hint`` names a form that prints no name at all
    (the sheet name, say)."""
    forms: list[Form] = []
    cur: _Builder | None = None

    def finish() -> None:
        nonlocal cur
        if cur is not None:
            form = cur.build(hint)
            if form is not None:
                forms.append(form)
        cur = None

    def start(r: int) -> _Builder:
        nonlocal cur
        finish()
        cur = _Builder(grid, r, len(forms) + 1)
        return cur

    def ensure(r: int) -> _Builder:
        return cur if cur is not None else start(r)

    r = 0
    n = len(grid)
    while r < n:
        distinct = grid.distinct(r)
        if not distinct:
            r += 1
            continue
        text_row = r in grid.text_rows
        title = _title_text(grid, r)
        if title is not None:
            if text_row and cur is not None and cur.stage in ("funding", "goals", "indicators") and (
                    cur.title is not None and label_key(_YEAR_PAREN.sub("", title)) == label_key(cur.title)
                    and not _opens_form(grid, r + 1)):
                r += 1  # the form's own title repeated as a page header while it continues
                continue
            b = start(r) if cur is None or cur.has_body or cur.name else cur
            b.set_title(title)
            r += 1
            continue
        year = _year_only(grid, r)
        if year is not None:
            b = start(r) if cur is None or cur.has_body else cur
            b.year = year
            r += 1
            continue
        if _is_name_row(grid, r):
            if cur is None or cur.has_body or cur.name:
                start(r)
            assert cur is not None
            cur.label_values(r)
            r += 1
            continue
        if text_row:
            r += 1
            continue
        if _is_label_row(grid, r) and (cur is None or cur.stage in ("head", "done")):
            b = start(r) if cur is None or cur.stage == "done" else cur
            b.label_values(r)
            r += 1
            continue
        if _indicator_header(grid, r):
            b = start(r) if cur is None or cur.stage == "done" else cur
            r += b.start_indicators(r)
            continue
        if _funding_header(grid, r):
            b = start(r) if cur is None or cur.stage in ("indicators", "done") else cur
            r += b.start_funding(r)
            continue
        if cur is not None and cur.stage in ("head", "funding", "goals"):
            cols = _goal_columns(grid, r)
            if cols is not None:
                cur.start_goals(r, *cols)
                r += 1
                continue
        first_key = label_key(distinct[0][1])
        if cur is not None and cur.stage in ("indicators", "goals", "funding") and (
                first_key in _TOTAL_KEYS or first_key.startswith("总分")):
            cur.total_row(r)
            r += 1
            continue
        if cur is not None and cur.stage in ("indicators", "done") and cur.grade_row(r):
            r += 1
            continue
        if cur is not None and first_key.startswith(_STOP_PREFIXES) and cur.stage != "head":
            cur.stage = "done"
            r += 1
            continue
        if cur is not None:
            if cur.stage == "funding":
                cur.funding_row(r)
            elif cur.stage == "goals":
                cur.goal_row(r)
            elif cur.stage == "indicators":
                cur.indicator_row(r)
            elif cur.stage == "head" and cur.year is None:
                m = _YEAR.search(_row_text(grid, r))
                if m and len(_row_text(grid, r)) <= 60:
                    cur.year = int(m.group(1))
        r += 1
    finish()
    return forms


def read_grid(rows: Sequence[Sequence[object]], *, merges: Iterable[Merge] | None = None,
              file: str | None = None, sheet: str | None = None, page: int | None = None,
              table: int | None = None, hint: str | None = None) -> list[Form]:
    """Forms in one grid of cells (``None`` and blanks are empty; ``merges`` as (r0, c0, r1, c1))."""
    grid = Grid(file=file)
    grid.add_table(rows, merges, sheet=sheet, page=page, table=table)
    return forms_from_grid(grid, hint=hint)
