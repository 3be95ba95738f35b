"""The funding block (项目资金 / 预算执行) of a form extracted to text.

Columns are named by the header row(s) — 年初预算数 (or 目标申报数 | 预算编制数), 全年预算数, 全年执行数,
资金结(转)余, 分值, 执行率, 得分 — but the data rows of real forms are often shifted against the header
(a leading empty cell, a label two cells right, a missing trailing 得分, an extra duplicated amount in an
unnamed merged cell). Each data row is therefore mapped in several ways — by header position at small
shifts, and by the order of its numbers — and the mapping whose figures agree with each other
(结余 = 全年预算数 − 全年执行数, 执行率 = 执行数 / 预算数, 得分 = 执行率 × 分值) wins. Any mapping other
than "as the header says" is recorded as ``repair-funding-shift``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from perfscore.model import Funding, FundingRow, SourceRef
from perfscore.readers import text_numbers as num
from perfscore.readers.text_table import Row, norm

AMOUNTS = ("target_declared", "budget_compiled", "initial_budget", "annual_budget", "executed", "balance")
_TAIL = ("weight", "execution_rate", "score")
_TOTAL_LABEL = re.compile(r"资金总额|总额|合计|总计")
_INLINE = re.compile(r"^(?P<label>.*?)[:：]\s*(?P<value>[\d.,，]+)\s*(?:万元)?$")
_LABEL_PREFIX = re.compile(r"^(?:其中\s*+[:：\-－—]?+\s*+)++")  # possessive: spaces are never re-split

Note = Callable[[str, str, str | None, int | None], None]


@dataclass
class _Parsed:
    """A funding row read from the text, before it is placed as total or 其中 row."""

    frow: FundingRow
    row: Row
    garbled: dict[str, str]
    shift: str | None = None
    total: bool = False
    path: str = "funding"


def header_field(cell: str) -> str | None:
    """The funding field a header cell names, if any."""
    n = norm(cell)
    if not n:
        return None
    if "目标申报" in n:
        return "target_declared"
    if "预算编制" in n:
        return "budget_compiled"
    if "年初预算" in n:
        return "initial_budget"
    if "全年预算" in n or "调整后预算" in n:
        return "annual_budget"
    if "执行率" in n:
        return "execution_rate"
    if "执行数" in n:
        return "executed"
    if "结" in n and ("余" in n or "转" in n):
        return "balance"
    if n in ("分值", "权重", "分值(分)"):
        return "weight"
    if n.startswith("得分"):
        return "score"
    if "原因" in n or "措施" in n:
        return "deviation_reason"
    return None


def is_funding_header(row: Row) -> bool:
    fields = {header_field(c) for c in row.cells}
    return bool(fields & {"annual_budget", "initial_budget", "target_declared", "executed"}) and not any(
        num.number_like(c) for c in row.cells
    )


def clean_label(text: str) -> str:
    label = _LABEL_PREFIX.sub("", text.strip()).strip()
    label = re.sub(r"[（(]\s*万元\s*[)）]", "", label)
    return label.rstrip(":：").strip()


class FundingParser:
    """Reads the funding block from its header row(s) and data rows."""

    def __init__(self, note: Note, source: Callable[[int], SourceRef], document_refs: list[Decimal] | None = None):
        self.note = note
        self.source = source
        self.document_refs = list(document_refs or [])

    # ------------------------------------------------------------------ header
    def parse(self, header_rows: list[Row], data_rows: list[Row], inline_pairs: bool) -> Funding | None:
        if inline_pairs:
            funding = self._parse_pairs(header_rows + data_rows)
        else:
            funding = self._parse_columns(header_rows, data_rows)
        if funding is not None:
            self._check_total_blank(funding)
        return funding

    def _positions(self, header_rows: list[Row]) -> tuple[dict[str, int], bool]:
        pos: dict[str, int] = {}
        for row in header_rows:
            for i, cell in enumerate(row.cells):
                field = header_field(cell)
                if field:
                    pos[field] = i
        split = "target_declared" in pos or "budget_compiled" in pos
        if split:
            pos.pop("initial_budget", None)
            pos.setdefault("target_declared", pos.get("budget_compiled", 1) - 1)
            pos.setdefault("budget_compiled", pos["target_declared"] + 1)
        used = [p for f, p in pos.items() if f != "deviation_reason"]
        clean = len(used) == len(set(used))
        return pos, clean

    def _order(self, pos: dict[str, int]) -> list[str]:
        head = [f for f in AMOUNTS if f in pos]
        tail = sorted((f for f in _TAIL if f in pos), key=lambda f: pos[f])
        return head + tail

    # ------------------------------------------------------------------ column layout
    def _parse_columns(self, header_rows: list[Row], data_rows: list[Row]) -> Funding | None:
        pos, clean = self._positions(header_rows)
        order = self._order(pos)
        if not order:
            return None
        parsed = [p for row in data_rows for p in self._parse_data_row(row, pos, order, clean)]
        return self._assemble(parsed)

    def _assemble(self, parsed: list[_Parsed]) -> Funding | None:
        """Total and 其中 rows, then the notes (which name them) and the number repairs."""
        if not parsed:
            return None
        funding = Funding()
        first = parsed[0]
        if _TOTAL_LABEL.search(first.frow.label) or first.frow.label == "" or first.total:
            funding.total = first.frow
            first.path = "funding.total"
            rest = parsed[1:]
        else:
            rest = parsed
        for k, p in enumerate(rest):
            funding.breakdown.append(p.frow)
            p.path = f"funding.breakdown[{k}]"
        for p in parsed:
            if p.shift:
                self.note("repair-funding-shift", p.shift, p.path, p.row.line)
        self._repair_numbers(parsed)
        return funding

    def _parse_data_row(self, row: Row, pos: dict[str, int], order: list[str], clean: bool) -> list[_Parsed]:
        cells = row.cells
        numbers = [(i, c) for i, c in enumerate(cells) if num.number_like(c)]
        label_i = next((i for i, c in enumerate(cells) if c and not num.number_like(c)), None)
        if not numbers:
            out = []
            for c in cells:  # 其中：一般公共预算：321.013328 (amount printed inside the label cell)
                m = _INLINE.match(c.replace(" ", ""))
                if m and num.number_like(m.group("value")):
                    frow = FundingRow(label=clean_label(m.group("label")), source=self.source(row.line))
                    out.append(_Parsed(frow, row, self._put(frow, "annual_budget", m.group("value"))))
            if not out and label_i is not None and _TOTAL_LABEL.search(cells[label_i]):
                # a 资金总额 row printed blank: kept, so that the scorer sees it
                frow = FundingRow(label=clean_label(cells[label_i]), source=self.source(row.line))
                out.append(_Parsed(frow, row, {}, total=True))
            return out
        if label_i is not None and label_i > numbers[0][0]:
            label_i = None
        label = clean_label(cells[label_i]) if label_i is not None else ""
        after = numbers[-1][0]
        reason = " ".join(c for c in cells[after + 1:] if c and not num.number_like(c)) or None
        assign, how = self._best_assignment(cells, numbers, pos, order, clean)
        frow = FundingRow(label=label, deviation_reason=reason, source=self.source(row.line))
        garbled: dict[str, str] = {}
        for field, text in assign.items():
            garbled.update(self._put(frow, field, text))
        shift = None
        if how != "header":
            shift = (f"funding row {label or '(no label)'!r}: numbers {[t for _, t in numbers]} do not sit under "
                     f"the header columns; mapped {how} to {', '.join(assign)}")
        return [_Parsed(frow, row, garbled, shift)]

    @staticmethod
    def _put(frow: FundingRow, field: str, text: str) -> dict[str, str]:
        value = num.parse_number(text)
        if value is None and num.is_garbled(text):
            frow.raw[field] = text
            return {field: text}
        setattr(frow, field, value)
        return {}

    def _best_assignment(self, cells: list[str], numbers: list[tuple[int, str]], pos: dict[str, int],
                         order: list[str], clean: bool) -> tuple[dict[str, str], str]:
        cands: list[tuple[tuple, dict[str, str], str]] = []
        n_numbers = len(numbers)
        if clean:
            for d in range(-3, 5):
                assign = {}
                for f in order:
                    i = pos[f] + d
                    if 0 <= i < len(cells) and num.number_like(cells[i]):
                        assign[f] = cells[i]
                if not assign:
                    continue
                pref = 3 if d == 0 else 1 - abs(d) / 10
                how = "header" if d == 0 else f"by header position shifted {d:+d} cell(s)"
                cands.append((self._key(assign, n_numbers, pref), assign, how))
        texts = [t for _, t in numbers]
        extra = len(texts) - len(order)
        if extra <= 0:
            assign = dict(zip(order, texts))
            cands.append((self._key(assign, n_numbers, 2), assign, "in printed order"))
        elif extra <= 2:
            for drop in combinations(range(len(texts)), extra):
                kept = [t for k, t in enumerate(texts) if k not in drop]
                assign = dict(zip(order, kept))
                cands.append((self._key(assign, n_numbers, 2), assign,
                               "in printed order, dropping an extra number"))
        if not cands:
            return {}, "header"
        cands.sort(key=lambda c: c[0], reverse=True)
        _, assign, how = cands[0]
        return assign, how

    @staticmethod
    def _key(assign: dict[str, str], n_numbers: int, pref: float) -> tuple:
        values = {f: num.parse_number(t) for f, t in assign.items()}
        orphans = n_numbers - len(assign)
        return (consistency(values) - orphans, len(assign), pref)

    # ------------------------------------------------------------------ inline pairs (目标完成情况表)
    def _parse_pairs(self, rows: list[Row]) -> Funding | None:
        """``预算执行情况(万元) | 预算数: | 89.496 | 执行数: | 89.496`` and ``其中-财政拨款: | 89.496 | …``."""
        parsed: list[_Parsed] = []
        for row in rows:
            cells = row.cells
            pairs: list[tuple[str, str]] = []
            heading = None
            for i, c in enumerate(cells):
                if c.endswith((":", "：")):
                    value = cells[i + 1] if i + 1 < len(cells) else ""
                    pairs.append((c, value if num.number_like(value) else ""))
                elif c and not num.number_like(c) and heading is None and not pairs:
                    heading = c
            if not pairs:
                continue
            label = clean_label(pairs[0][0])
            if not parsed or re.fullmatch(r"(全年)?预算数?", label):
                label = clean_label(heading or "资金总额")
            frow = FundingRow(label=label, source=self.source(row.line))
            garbled: dict[str, str] = {}
            for field, (_, text) in zip(("annual_budget", "executed"), pairs):
                if text:
                    garbled.update(self._put(frow, field, text))
            parsed.append(_Parsed(frow, row, garbled, total=not parsed))
        return self._assemble(parsed)

    # ------------------------------------------------------------------ repairs
    def _repair_numbers(self, parsed: list[_Parsed]) -> None:
        refs = [getattr(p.frow, f) for p in parsed for f in AMOUNTS if getattr(p.frow, f) is not None]
        done: dict[str, Decimal] = {}
        for p in parsed:
            frow, row, where = p.frow, p.row, p.path
            for field, text in p.garbled.items():
                if text in done:  # the same garbled print repaired above: same value
                    setattr(frow, field, done[text])
                    self.note("repair-number", f"printed {text!r} read as {done[text]} (as the identical print above)",
                              f"{where}.{field}", row.line)
                    continue
                agree = None
                if field in ("annual_budget", "executed") and frow.execution_rate:
                    other = frow.executed if field == "annual_budget" else frow.annual_budget
                    if other:
                        agree = _rate_agreement(field, other, frow.execution_rate)
                pool = refs if field in AMOUNTS else []
                value, why = num.repair(text, pool, agree, self.document_refs)
                setattr(frow, field, value)
                if value is None:
                    self.note("repair-number", f"printed {text!r} is not a number and could not be repaired ({why})",
                              f"{where}.{field}", row.line)
                else:
                    refs.append(value)
                    done[text] = value
                    self.note("repair-number", f"printed {text!r} read as {value} ({why})",
                              f"{where}.{field}", row.line)

    def _check_total_blank(self, funding: Funding) -> None:
        total = funding.total
        if total is None:
            return
        amounts = [getattr(total, f) for f in ("annual_budget", "executed", "initial_budget", "budget_compiled")]
        if any(a not in (None, Decimal(0)) for a in amounts):
            return
        for frow in funding.breakdown:
            if any(getattr(frow, f) not in (None, Decimal(0)) for f in ("annual_budget", "executed")) or frow.score:
                self.note("funding-total-blank",
                          f"the {total.label or '资金总额'} row is printed 0/blank while the {frow.label!r} row holds "
                          "the amounts; both rows are kept as printed",
                          "funding.total", total.source.line if total.source else None)
                return


def _rate_agreement(field: str, other: Decimal, rate: Decimal) -> Callable[[Decimal], bool]:
    def agree(value: Decimal) -> bool:
        annual, executed = (value, other) if field == "annual_budget" else (other, value)
        if not annual:
            return False
        return abs(executed / annual * 100 - rate) <= Decimal("0.6")
    return agree


def consistency(v: dict[str, Decimal | None]) -> int:
    """How many of the printed figures agree with each other (+1 per agreement, −1 per clash)."""
    s = 0
    a, b, bal = v.get("annual_budget"), v.get("executed"), v.get("balance")
    rate, score, weight = v.get("execution_rate"), v.get("score"), v.get("weight")
    if a is not None and b is not None and bal is not None:
        s += 1 if abs(a - b - bal) <= Decimal("0.011") else -1
    if a and b is not None and rate is not None:
        s += 1 if abs(b / a * 100 - rate) <= 1 else -1
    w = weight if weight else Decimal(10)
    if rate is not None and score is not None:
        s += 1 if abs(min(rate, Decimal(100)) * w / 100 - score) <= Decimal("0.3") else -1
    if score is not None and score > w:
        s -= 1
    if rate is not None and rate > 1000:
        s -= 1
    return s
