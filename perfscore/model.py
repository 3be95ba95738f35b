"""The form model: one description of a 自评表 shared by every reader, the scorer and every writer.

Value cells (targets, actuals) stay the strings printed on the form; the value parser reads them at
scoring time so that nothing a unit wrote is lost. Amounts and points are Decimals.
"""

from __future__ import annotations

import operator
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from perfscore.decimals import MAX_EXPONENT, MIN_EXPONENT, RANGE_TEXT, in_range

FormKind = Literal["project", "department", "target_report"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class SourceRef(_Strict):
    """Where something was read: file and, when known, page/sheet, table number, row and line."""

    file: str | None = None
    page: int | None = None
    sheet: str | None = None
    table: int | None = None
    row: int | None = None
    line: int | None = None

    def describe(self) -> str:
        parts = [self.file or "<input>"]
        for label, value in (("page", self.page), ("sheet", self.sheet), ("table", self.table),
                             ("row", self.row), ("line", self.line)):
            if value is not None:
                parts.append(f"{label} {value}")
        return ", ".join(parts)


class FundingRow(_Strict):
    """One row of the funding block (资金总额, or a 其中 row by source or by nature of expense).

    All amounts are in the block's unit (万元 on every known template). `raw` keeps the printed text of
    any cell whose number had to be repaired (e.g. ``3,21.0,13328``) so the repair can be shown.
    """

    label: str = Field(description="Row label as printed, e.g. 资金总额 / 市县区财政资金 / 基本支出")
    target_declared: Decimal | None = Field(None, description="年初预算数: 目标申报数")
    budget_compiled: Decimal | None = Field(None, description="年初预算数: 预算编制数")
    initial_budget: Decimal | None = Field(None, description="年初预算数 when not split")
    annual_budget: Decimal | None = Field(None, description="全年预算数 (A)")
    executed: Decimal | None = Field(None, description="全年执行数 (B)")
    balance: Decimal | None = Field(None, description="资金结转/结余")
    weight: Decimal | None = Field(None, description="分值")
    execution_rate: Decimal | None = Field(None, description="执行率 as printed, in percent")
    score: Decimal | None = Field(None, description="得分")
    deviation_reason: str | None = Field(None, description="偏差原因分析及改进措施")
    raw: dict[str, str] = Field(default_factory=dict, description="printed text of repaired cells")
    source: SourceRef | None = None


class Funding(_Strict):
    """项目资金 / 预算执行 block. `total` is the 资金总额 row; `breakdown` holds the 其中 rows."""

    unit: str = "万元"
    total: FundingRow | None = None
    breakdown: list[FundingRow] = Field(default_factory=list)

    def rows(self) -> list[FundingRow]:
        return ([self.total] if self.total else []) + list(self.breakdown)


class Goals(_Strict):
    """年度总体目标: 预期目标 vs 实际完成情况 (free text)."""

    expected: str | None = None
    achieved: str | None = None


class Indicator(_Strict):
    """One 三级指标 row. Blank 一级/二级 cells are filled from the row above by the readers."""

    level1: str | None = Field(None, description="一级指标")
    level2: str | None = Field(None, description="二级指标")
    level3: str = Field(description="三级指标")
    initial_target: str | None = Field(None, description="年初指标值 (or the single 年度指标值 column)")
    adjusted_target: str | None = Field(None, description="调整后指标值; absent when the form has one column")
    actual: str | None = Field(None, description="实际完成值")
    weight: Decimal | None = Field(None, description="分值")
    score: Decimal | None = Field(None, description="得分")
    deviation_reason: str | None = Field(None, description="偏差原因分析及改进措施")
    measure_unit: str | None = Field(None, description="度量单位 column, when the form has one")
    nature: str | None = Field(None, description="指标性质 column, when the form has one")
    source: SourceRef | None = None

    @property
    def target(self) -> str | None:
        """The target in force: 调整后指标值 when filled, else 年初指标值."""
        if self.adjusted_target not in (None, ""):
            return self.adjusted_target
        return self.initial_target


class ReadNote(_Strict):
    """Something a reader repaired or noticed while reading (a shifted label, a garbled number).

    The audit turns each note into a finding under `code`, so repairs are never silent.
    """

    code: str = Field(description="finding code, e.g. repair-number")
    message: str
    field: str | None = Field(None, description="what was repaired, e.g. funding.total.annual_budget")
    source: SourceRef | None = None


class Form(_Strict):
    """A 项目支出绩效自评表, 部门整体支出绩效自评表 or 绩效目标完成情况表."""

    kind: FormKind = "project"
    name: str = Field(description="项目名称; for a department form the 预算部门名称")
    title: str | None = Field(None, description="the table title as printed")
    department: str | None = Field(None, description="主管部门及代码")
    unit: str | None = Field(None, description="预算单位 / 实施单位")
    year: int | None = None
    funding: Funding | None = None
    goals: Goals | None = None
    indicators: list[Indicator] = Field(default_factory=list)
    reported_total: Decimal | None = Field(None, description="总分 as printed")
    reported_grade: str | None = Field(None, description="自评等级 as printed (优/良/中/差)")
    source: SourceRef | None = None
    read_notes: list[ReadNote] = Field(default_factory=list, description="repairs made while reading")

    @model_validator(mode="after")
    def _numbers_in_range(self) -> Form:
        """Every number of the form within `decimals.in_range`; one beyond it (``1e26`` as a weight,
        ``"1e999999999"`` as a total) is left blank with an `unparsed-value` note naming the field, as a
        value cell that cannot be read is. Checked here, where every YAML/JSON form (and every form a
        reader builds whole) passes, so that no Decimal arithmetic downstream meets such a number.

        One pass over the form's numbers, testing only their exponents as `in_range` does: they are finite
        (pydantic refuses NaN and Infinity), and the full test would double the pass's ~4 µs a form."""
        lo, hi = MIN_EXPONENT, MAX_EXPONENT
        for i, ind in enumerate(self.indicators):
            w, s = ind.weight, ind.score
            if (w is not None and not lo <= w.adjusted() <= hi) or (s is not None and not lo <= s.adjusted() <= hi):
                _blank_out_of_range(self, ind, f"indicators[{i}]", ind.source, ind.level3)
        funding = self.funding
        if funding is not None:
            total = funding.total
            for k, row in enumerate(funding.breakdown if total is None else [total, *funding.breakdown]):
                for value in _funding_numbers(row):
                    if value is not None and not lo <= value.adjusted() <= hi:
                        path = "funding.total" if row is total else f"funding.breakdown[{k - (total is not None)}]"
                        _blank_out_of_range(self, row, path, row.source, row.label)
                        break
        reported = self.reported_total
        if reported is not None and not lo <= reported.adjusted() <= hi:
            _blank_out_of_range(self, self, "", self.source, None)
        return self


_funding_numbers = operator.attrgetter("target_declared", "budget_compiled", "initial_budget", "annual_budget",
                                       "executed", "balance", "weight", "execution_rate", "score")
_FIELD_NAMES = {"weight": "分值", "score": "得分", "reported_total": "总分", "target_declared": "目标申报数",
                "budget_compiled": "预算编制数", "initial_budget": "年初预算数", "annual_budget": "全年预算数",
                "executed": "全年执行数", "balance": "资金结转/结余", "execution_rate": "执行率"}


def _blank_out_of_range(form: Form, model: BaseModel, path: str, source: SourceRef | None,
                        label: str | None) -> None:
    """Blank the numbers of `model` (an indicator, a funding row or the form) beyond `decimals.in_range`,
    each with an `unparsed-value` read note naming its field (`indicators[2].weight`) and row label."""
    for name, value in list(model.__dict__.items()):
        if type(value) is Decimal and name in _FIELD_NAMES and not in_range(value):
            model.__dict__[name] = None
            field = f"{path}.{name}" if path else name
            shown = str(value)
            shown = shown if len(shown) <= 24 else f"{value:.3e}"  # 1.000e+33, not the 34 digits
            form.read_notes.append(ReadNote(
                code="unparsed-value", field=field, source=source,
                message=f"{f'{label}: ' if label else ''}{_FIELD_NAMES[name]} {shown} cannot be read: number out "
                        f"of range ({RANGE_TEXT}); read as blank"))


class NarrativeCounts(_Strict):
    """Counts stated in the text around the forms, e.g. "15个项目 … 12个自评等级为优"."""

    forms: int | None = None
    grades: dict[str, int] = Field(default_factory=dict)
    amount: Decimal | None = Field(None, description="涉及资金 (万元) as stated")
    text: str | None = None
    source: SourceRef | None = None


class Document(_Strict):
    """A file holding one or many forms, plus what its narrative says about them."""

    title: str | None = None
    forms: list[Form] = Field(default_factory=list)
    narrative: NarrativeCounts | None = None
    source: SourceRef | None = None
