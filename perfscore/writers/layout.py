"""The standard 自评表 layout as a grid of cells with merges, shared by the xlsx and docx writers.

It reproduces the real form (seed 000, 上党区 2023): a title row ``<项目名称>项目支出绩效自评表`` and
``(2023年度)``; 项目名称, 主管部门及代码 | 预算单位 rows; the funding block (项目资金预算安排及执行进度(万元) |
年初预算数 [目标申报数 | 预算编制数] | 全年预算数 | 全年执行数 | 资金结(转)余 | 分值 | 执行率 | 得分 |
偏差原因分析及改进措施), its 资金总额 row and 其中 rows; 项目年度绩效目标 (年度目标 | 实际完成情况); the
indicator header and rows with 一级/二级 cells merged vertically over their groups; 总分 | total | grade.

A department form prints 预算部门名称 and 年度资金总额; a target report (绩效目标完成情况表) prints
预算数/执行数 and 预期指标值/实际完成指标值. Optional columns (调整后指标值, 度量单位, 指标性质, …) are
printed only when some indicator fills them, so the form reads back exactly as it was written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from perfscore.model import Form, FundingRow

Value = str | Decimal | None

__all__ = ["Layout", "cell_text", "default_title", "layout_form"]

# roles: title, year, label, header, text, number
_FUNDING_ORDER = ["target_declared", "budget_compiled", "initial_budget", "annual_budget", "executed", "balance",
                  "weight", "execution_rate", "score", "deviation_reason"]
_FUNDING_HEADERS = {
    "initial_budget": "年初预算数",
    "annual_budget": "全年预算数",
    "executed": "全年执行数",
    "balance": "资金结(转)余",
    "weight": "分值",
    "execution_rate": "执行率",
    "score": "得分",
    "deviation_reason": "偏差原因分析及改进措施",
}
_AMOUNTS = set(_FUNDING_ORDER) - {"deviation_reason"}


@dataclass
class Layout:
    """One form as rows of cells. ``merges`` are (r0, c0, r1, c1), inclusive; the first ``title_rows``
    rows are the title and the year (the docx writer prints them as paragraphs above the table)."""

    width: int
    rows: list[list[Value]] = field(default_factory=list)
    roles: list[list[str]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    title_rows: int = 0
    col_widths: list[float] = field(default_factory=list)

    def new_row(self) -> int:
        self.rows.append([None] * self.width)
        self.roles.append(["text"] * self.width)
        return len(self.rows) - 1

    def put(self, r: int, c0: int, value: Value, role: str = "text", c1: int | None = None,
            r1: int | None = None) -> None:
        c1 = c0 if c1 is None else c1
        r1 = r if r1 is None else r1
        self.rows[r][c0] = value
        for rr in range(r, r1 + 1):
            for cc in range(c0, c1 + 1):
                self.roles[rr][cc] = role
        if c1 > c0 or r1 > r:
            self.merges.append((r, c0, r1, c1))

    def text_grid(self) -> list[list[str]]:
        """The layout as strings with merged regions filled (what a reader sees)."""
        out = [[cell_text(v) for v in row] for row in self.rows]
        for r0, c0, r1, c1 in self.merges:
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    out[r][c] = out[r0][c0]
        return out


def cell_text(value: Value) -> str:
    """A cell as printed text: Decimals in plain notation (no exponent), None as blank."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def default_title(form: Form) -> str:
    if form.kind == "department":
        return "部门整体支出绩效自评表"
    if form.kind == "target_report":
        return "项目支出绩效目标完成情况表"
    return f"{form.name}项目支出绩效自评表"


def _funding_columns(form: Form) -> list[tuple[str, str]]:
    rows: list[FundingRow] = form.funding.rows() if form.funding else []

    def used(name: str) -> bool:
        return any(getattr(row, name) is not None for row in rows)

    split = used("target_declared") or used("budget_compiled")
    if form.kind == "target_report":
        cols = [("annual_budget", "预算数"), ("executed", "执行数")]
        for name in _FUNDING_ORDER:
            if name in ("annual_budget", "executed") or not used(name):
                continue
            if name in ("target_declared", "budget_compiled"):
                header = "目标申报数" if name == "target_declared" else "预算编制数"
            else:
                header = _FUNDING_HEADERS[name]
            cols.append((name, header))
        return cols
    cols = [("target_declared", "目标申报数"), ("budget_compiled", "预算编制数")] if split else [
        ("initial_budget", "年初预算数")]
    cols += [(n, _FUNDING_HEADERS[n]) for n in ("annual_budget", "executed", "balance", "weight", "execution_rate",
                                                "score", "deviation_reason")]
    return cols


def _indicator_columns(form: Form) -> list[tuple[str, str]]:
    inds = form.indicators

    def used(name: str) -> bool:
        return any(getattr(i, name) not in (None, "") for i in inds)

    target = form.kind == "target_report"
    cols = [("level1", "一级指标"), ("level2", "二级指标"), ("level3", "三级指标")]
    if used("nature"):
        cols.append(("nature", "指标性质"))
    if target:
        cols.append(("initial_target", "预期指标值"))
        if used("adjusted_target"):
            cols.append(("adjusted_target", "调整后指标值"))
    elif used("adjusted_target"):
        cols += [("initial_target", "年初指标值"), ("adjusted_target", "调整后指标值")]
    else:
        cols.append(("initial_target", "年度指标值"))
    if used("measure_unit"):
        cols.append(("measure_unit", "度量单位"))
    cols.append(("actual", "实际完成指标值" if target else "实际完成值"))
    if not target or used("weight"):
        cols.append(("weight", "分值"))
    if not target or used("score"):
        cols.append(("score", "得分"))
    if not target or used("deviation_reason"):
        cols.append(("deviation_reason", "偏差原因分析及改进措施"))
    return cols


_COL_WIDTH = {"level1": 10, "level2": 12, "level3": 26, "nature": 8, "initial_target": 13,
              "adjusted_target": 13, "measure_unit": 8, "actual": 13, "weight": 7, "score": 7,
              "deviation_reason": 26}


def layout_form(form: Form, review: Sequence[str] = ()) -> Layout:
    """The standard layout of one form; ``review``: the 复核意见 lines printed under it (a re-scored form)."""
    kind = form.kind
    fcols = _funding_columns(form) if form.funding is not None else []
    icols = _indicator_columns(form)
    split = any(name == "target_declared" for name, _ in fcols)
    width = max(8, 2 + len(fcols), len(icols))
    score_col = next((i for i, (name, _) in enumerate(icols) if name == "score"), None)
    show_total = kind != "target_report" or form.reported_total is not None or form.reported_grade is not None
    if show_total:
        if score_col is None:
            score_col = width - 2
        width = max(width, score_col + 2)
    lay = Layout(width=width)
    last = width - 1

    # -- title -------------------------------------------------------------------------------------
    r = lay.new_row()
    lay.put(r, 0, form.title or default_title(form), "title", last)
    if form.year is not None:
        r = lay.new_row()
        lay.put(r, 0, f"({form.year}年度)", "year", last)
    lay.title_rows = len(lay.rows)

    # -- head --------------------------------------------------------------------------------------
    r = lay.new_row()
    lay.put(r, 0, "预算部门名称" if kind == "department" else "项目名称", "label", 1)
    lay.put(r, 2, form.name, "text", last)
    if kind != "department" or form.department or form.unit:
        r = lay.new_row()
        mid = max(4, (width + 2) // 2)
        lay.put(r, 0, "主管部门及代码", "label", 1)
        lay.put(r, 2, form.department, "text", mid - 1)
        lay.put(r, mid, "实施单位" if kind == "department" else "预算单位", "label", min(mid + 1, last - 1))
        lay.put(r, min(mid + 2, last), form.unit, "text", last)

    # -- funding -----------------------------------------------------------------------------------
    if form.funding is not None:
        funding = form.funding
        caption = {"department": "部门预算资金安排及执行情况", "target_report": "预算执行情况"}.get(
            kind, "项目资金预算安排及执行进度")
        r = lay.new_row()
        r2 = lay.new_row() if split else r
        lay.put(r, 0, f"{caption}({funding.unit})", "header", 1, r2)
        c = 2
        for i, (name, header) in enumerate(fcols):
            end = last if i == len(fcols) - 1 else c
            if name == "target_declared":
                lay.put(r, c, "年初预算数", "header", c + 1)
                lay.put(r2, c, header, "header")
            elif name == "budget_compiled":
                lay.put(r2, c, header, "header")
            else:
                lay.put(r, c, header, "header", end, r2)
            c += 1
        rows = funding.rows()
        if funding.total is None and funding.breakdown:
            rows = [FundingRow(label="年度资金总额" if kind == "department" else "资金总额"), *rows]
        for row in rows:
            r = lay.new_row()
            lay.put(r, 0, row.label, "label", 1)
            c = 2
            for i, (name, _) in enumerate(fcols):
                end = last if i == len(fcols) - 1 else c
                value = getattr(row, name)
                lay.put(r, c, value, "number" if name in _AMOUNTS else "text", end)
                c += 1

    # -- goals -------------------------------------------------------------------------------------
    if form.goals is not None:
        caption, exp, act = {
            "department": ("年度总体目标", "预期目标", "实际完成情况"),
            "target_report": ("年度目标完成情况", "预期目标", "实际完成目标"),
        }.get(kind, ("项目年度绩效目标", "年度目标", "实际完成情况"))
        mid = max(2, (width + 1) // 2)
        r = lay.new_row()
        r2 = lay.new_row()
        lay.put(r, 0, caption, "header", None, r2)
        lay.put(r, 1, exp, "header", mid - 1)
        lay.put(r, mid, act, "header", last)
        lay.put(r2, 1, form.goals.expected, "text", mid - 1)
        lay.put(r2, mid, form.goals.achieved, "text", last)

    # -- indicators --------------------------------------------------------------------------------
    r = lay.new_row()
    for i, (_, header) in enumerate(icols):
        lay.put(r, i, header, "header", last if i == len(icols) - 1 else None)
    first = len(lay.rows)
    for ind in form.indicators:
        r = lay.new_row()
        for i, (name, _) in enumerate(icols):
            value = getattr(ind, name)
            role = "number" if name in ("weight", "score") else ("label" if name.startswith("level") else "text")
            lay.put(r, i, value, role, last if i == len(icols) - 1 else None)
    _merge_levels(lay, form, first)

    # -- total -------------------------------------------------------------------------------------
    if show_total:
        assert score_col is not None
        r = lay.new_row()
        lay.put(r, 0, "总分", "label", score_col - 1 if score_col > 0 else None)
        lay.put(r, score_col, form.reported_total, "number")
        lay.put(r, score_col + 1, form.reported_grade, "label", last if score_col + 1 < last else None)

    # -- review ------------------------------------------------------------------------------------
    if review:
        first_review = len(lay.rows)
        for line in review:
            r = lay.new_row()
            lay.put(r, 2, line, "text", last)
        lay.put(first_review, 0, "复核意见", "label", 1, len(lay.rows) - 1)

    widths = [10.0] * width
    for i, (name, _) in enumerate(icols):
        widths[i] = float(_COL_WIDTH.get(name, 10))
    spare = width - len(icols)
    if spare > 0:  # the last indicator column spans the rest: share its width out
        share = max(7.0, widths[len(icols) - 1] / (spare + 1))
        widths[len(icols) - 1:] = [share] * (spare + 1)
    lay.col_widths = widths
    return lay


def _merge_levels(lay: Layout, form: Form, first: int) -> None:
    """Merge 一级 cells over runs of equal 一级指标, and 二级 over equal (一级, 二级) within them."""
    inds = form.indicators
    for col, key in ((0, lambda i: (i.level1,)), (1, lambda i: (i.level1, i.level2))):
        start = 0
        while start < len(inds):
            end = start
            k = key(inds[start])
            while end + 1 < len(inds) and key(inds[end + 1]) == k:
                end += 1
            if end > start and k[-1] not in (None, ""):
                r0, r1 = first + start, first + end
                for rr in range(r0 + 1, r1 + 1):
                    lay.rows[rr][col] = None
                lay.merges.append((r0, col, r1, col))
            start = end + 1
