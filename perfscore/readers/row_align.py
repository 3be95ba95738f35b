"""Loose rows → fields: which header column each cell of a row recovered from text belongs to.

Text keeps a table's cells in reading order but not their columns: a merged 一级/二级 cell is printed on
the first row only, blank cells vanish, and where the row breaks were lost one "row" holds several. The
header still says which fields come in which order, so each cell is placed in the first field at or after
the previous cell's that can hold what it says (a 一级/二级 label, a 三级 name, a bare number for 分值/得分,
a value for 指标值/实际值), and a label that can only start a row starts the next one.

Funding rows are placed by arithmetic: among the orders of the header's amount columns that the printed
numbers can fill, the one in which 执行率 = 全年执行数 / 全年预算数 and 得分 = 执行率 × 分值 hold wins.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from perfscore.readers.grid_cells import label_key
from perfscore.readers.grid_labels import level_kind
from perfscore.readers.numbers import parse_decimal

_PLACEHOLDER = re.compile(r"^(?:[…．.·]+|指标\s*\d+\s*[:：]?|[★☆*]+|/|-+|—+|其他|其它)$")
_BARE = re.compile(r"^[+-]?\d+(?:\.\d+)?\s*分?$")
# a value: an operator, a number or a range, a unit of a few characters, a bound word (≥11台, 1-12月, 95%以上)
_VALUE = re.compile(r"^(?:[≥≤=<>＞＜≧≦±→—]|不低于|不少于|不高于|不超过|大于|小于|低于|高于|约)?\s*[+-]?\d[\d.,]*\s*"
                    r"(?:[-—~～至]\s*\d[\d.,]*\s*)?(?:[%‰]|[^\d\s]{0,6}?)(?:及以上|以上|及以下|以下|以内)?$")
_ACHIEVED = re.compile(r"^(?:部分)?(?:达成|未达成|完成|未完成|已完成)(?:预期|年度)?(?:指标|目标)")
_MISSING = {"未填报", "/", "-", "—", "无", "不适用", "……"}
_VALUES = ("initial_target", "adjusted_target", "actual")
_LEAD = {"绩效指标", "绩效指标完成情况", "绩效指标完成情况分析", "项目绩效指标"}
_NATURE = re.compile(r"^(?:[≥≤=<>＞＜≧≦]|正向|反向|定性|定量|[≥≤]?=?)$")


_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
_ONE_NUMBER = re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?")
_GLUED = re.compile(r"^(\d[\d.]*?)(%?)$")


def splits(token: str, parts: int) -> list[list[str]]:
    """Every way to read a run of glued digits as ``parts`` numbers (``194.9194.9100%`` → 194.9 | 194.9 |
    100%), none with a leading zero; a trailing ``%`` stays with the last. Runs longer than 24 give none."""
    m = _GLUED.match(token.strip())
    if not m or len(m.group(1)) > 24 or parts < 2:
        return []
    digits, pct = m.groups()
    out: list[list[str]] = []
    for cuts in itertools.combinations(range(1, len(digits)), parts - 1):
        pieces = [digits[a:b] for a, b in zip((0, *cuts), (*cuts, len(digits)), strict=True)]
        if all(_ONE_NUMBER.fullmatch(p) for p in pieces):
            pieces[-1] += pct
            out.append(pieces)
    return out


def _points_pair(token: str) -> list[str] | None:
    """A glued 分值 and 得分 (``2018`` → 20 | 18): the one split with both at most 100, the score within
    the weight and the weight above 0."""
    found = [p for p in splits(token, 2)
             if "%" not in p[1] and 0 < Decimal(p[0]) <= 100 and Decimal(p[1]) <= Decimal(p[0])]
    return found[0] if len(found) == 1 else None


def placeholder(cell: str) -> bool:
    """Template filler, not content: ``……``, ``指标1:``, ``★★★``."""
    return bool(_PLACEHOLDER.match(cell.strip()))


def _value_like(cell: str) -> bool:
    cell = cell.strip()
    return cell in _MISSING or (len(cell) <= 24 and bool(_VALUE.match(cell))) or (
        "%" in cell and len(cell) <= 16 and any(ch.isdigit() for ch in cell) and len(_CJK_CHAR.findall(cell)) <= 5)


def _accepts(name: str, cell: str) -> bool:
    level = level_kind(cell)
    if name == "level1":
        return level in ("level1", "level12")
    if name == "level2":
        return level in ("level2", "level12")
    if level is not None:
        return False
    if name == "level3":
        return not _BARE.match(cell) and not (_value_like(cell) and len(cell) <= 12)
    if name == "core":
        return cell.strip() in ("是", "否", "★", "√", "Y", "N")
    if name == "score_ratio":
        return _value_like(cell) or bool(_BARE.match(cell))
    if name in ("weight", "score", "review_score"):
        return bool(_BARE.match(cell)) and parse_decimal(cell)[0] is not None
    if name == "nature":
        return bool(_NATURE.match(cell.strip()))
    if name in ("initial_target", "adjusted_target") and _ACHIEVED.match(cell):
        return False  # 达成预期指标, 部分达成…: words that only ever report an actual
    if name == "criteria":
        return not _value_like(cell)
    if name == "measure_unit":
        return len(cell) <= 5 and not re.search(r"\d", cell)
    return True


def indicator_fields(ordered: Sequence[str]) -> list[str]:
    """The header's fields in column order, each once, with 一级/二级 added in front of 三级 when the
    header does not print them (the rows may still carry them)."""
    out: list[str] = []
    for name in ordered:
        if name not in out:
            out.append(name)
    if "level3" in out:
        at = out.index("level3")
        for name in ("level2", "level1"):
            if name not in out:
                out.insert(0 if name == "level1" else at if "level1" not in out[:at] else out.index("level1") + 1,
                           name)
                at = out.index("level3")
    return out


def align_indicators(cells: Sequence[str], fields: Sequence[str]) -> list[dict[str, str]]:
    """Split a loose row into indicator rows, each a mapping of field name → cell text."""
    idx = {name: k for k, name in enumerate(fields)}
    l3 = idx.get("level3", 0)
    last_value = max((idx[n] for n in (*_VALUES, "score", "weight", "review_score", "score_ratio") if n in idx),
                     default=l3)
    value_fields = sum(1 for n in fields[l3 + 1:] if n in (*_VALUES, "weight", "score"))
    live: list[str] = []
    gaps: set[int] = set()  # positions in ``live`` that an empty cell preceded
    forced: dict[int, str] = {}  # cells whose field is known: the halves of a glued 分值 | 得分
    for cell in (c.strip() for c in cells):
        if not cell and live:
            gaps.add(len(live))  # an empty cell printed in place (a tab line): it may hold a field's place
            continue
        if not cell or placeholder(cell) or (not live and label_key(cell) in _LEAD):
            continue  # empty, template filler, or the 绩效指标 caption merged down the table's left edge
        pair = _points_pair(cell) if "weight" in idx and "score" in idx and _BARE.match(cell) and (
            Decimal(parse_decimal(cell)[0] or 0) > 100 or (len(cell) > 1 and cell.startswith("0"))) else None
        if pair is not None:
            forced[len(live)], forced[len(live) + 1] = "weight", "score"
        elif re.fullmatch(r"0\d", cell):
            pair = list(cell)  # two zeros glued: 0 | 0 (变质比例 target and actual)
        live.extend(pair or [cell])
    rows: list[dict[str, str]] = []
    cur: dict[str, str] = {}
    pos = 0
    for i, cell in enumerate(live):
        if i in gaps and "level3" in cur and pos + 1 < len(fields) and fields[pos] in _VALUES[:2] and (
                _value_like(cell) or _BARE.match(cell)) and _accepts(fields[pos + 1], cell) and (
                _cells_to_place(live, i) <= sum(1 for n in fields[pos + 1:] if n in (*_VALUES, "weight", "score"))):
            pos += 1  # 年初指标值 printed blank: the next value is the 调整后 one (if the rest still fits)
        level = level_kind(cell)
        named = False
        if level is not None and "level3" in idx and ((i + 1 < len(live) and (
                _value_like(live[i + 1]) or _BARE.match(live[i + 1])) and _values_after(live, i) <= value_fields) or (
                i and live[i - 1] == cell and cur.get("level2") == cell and _fits_as_name(live, i, fields)) or (
                "level2" in cur and "level3" not in cur and not label_key(cell).endswith("指标")
                and i + 1 < len(live) and level_kind(live[i + 1]) is None)):
            # followed by its values, the 二级 label printed again in the 三级 place, or a short label
            # after the row's 二级: a 三级 name that reads like a level (服务对象满意度, 数量指标, 社会效益)
            level, named = None, True
        if level == "level12":
            nxt = live[i + 1] if i + 1 < len(live) else ""
            # 成本指标 / 满意度指标 are 一级 in one template and 二级 in another: a 二级 label follows a
            # 一级 one, and a label alone on its row is a 一级 heading
            after_one = i > 0 and level_kind(live[i - 1]) == "level1" and "level1" in cur
            level = "level1" if not after_one and (level_kind(nxt) in ("level2", "level12") or len(live) == 1) else (
                "level2")
        new = False
        if (cell == cur.get("level3") and pos == idx.get("level3", -2) + 1) or (
                level is not None and i and live[i - 1] == cell and cur.get(level) == cell):
            continue  # the 三级 name or a 二级 label printed twice (in the 二级 and the 三级 column)
        if level is not None:
            j = idx.get(level) if level in idx else None
            new = j is None or pos > j or any(idx.get(n, -1) >= l3 for n in cur)
        elif named:
            j = idx["level3"]
            new = pos > j
        elif not cur and "level1" in idx and i + 1 < len(live) and level_kind(live[i + 1]) == "level2" and (
                not _value_like(cell)):
            j = idx["level1"]  # the cell before a row's 二级 label is its 一级, known to the vocabulary or not
        elif i in forced and idx[forced[i]] >= pos:
            j = idx[forced[i]]
        elif "level3" in idx and "level3" not in cur and pos <= l3 and not _BARE.match(cell) and "%" not in cell and (
                _values_after(live, i) == value_fields > 1):
            j = l3  # a name that reads like a value (2023年度), followed by all of the row's values
        elif _continues_name(cell, cur, pos, l3, live[i + 1:], value_fields):
            cur["level3"] += " " + cell  # a name wrapped at a space: the row's values all still follow
            continue
        else:
            j = next((k for k in range(pos, len(fields)) if _accepts(fields[k], cell)), None)
            if j is not None and j > last_value and "level3" in cur:
                # text past the values: this row's 偏差原因, or the next row's name?
                new = fields[j] != "deviation_reason" or (any(
                    _value_like(c) for c in live[i + 1:i + 3]) and "deviation_reason" not in cur)
            elif j is None:
                new = True
            elif fields[j] not in ("level3", "deviation_reason") and "level3" not in cur and not _value_like(
                    cell) and not _BARE.match(cell):
                j = idx.get("level3", j)
        if new and cur:
            rows.append(cur)
            cur, pos = {}, 0
        if new and not named:
            if level is not None:
                j = idx.get(level)
            else:
                j = next((k for k in range(len(fields)) if _accepts(fields[k], cell)), None)
                if j is not None and fields[j] not in ("level3",) and "level3" in idx and _accepts("level3", cell):
                    j = idx["level3"]  # a row's first words are its name
        if j is None:
            continue
        cur[fields[j]] = cell
        pos = j + 1
    if cur:
        rows.append(cur)
    if "weight" in idx and "initial_target" in idx and idx["weight"] > idx["initial_target"]:
        for row in rows:
            _split_target_weight(row)
    return rows


def _cells_to_place(live: Sequence[str], i: int) -> int:
    """The cells from ``live[i]`` to the row's end or next label, less a closing remark (偏差原因)."""
    rest = []
    for cell in live[i:]:
        if level_kind(cell) is not None:
            break
        rest.append(cell)
    if len(rest) > 1 and not (_value_like(rest[-1]) or _BARE.match(rest[-1])):
        rest.pop()
    return len(rest)


def _values_after(live: Sequence[str], i: int) -> int:
    """How many value cells (targets, actuals, bare points) follow ``live[i]`` before anything else."""
    n = 0
    for cell in live[i + 1:]:
        if not (_value_like(cell) or _BARE.match(cell)) or level_kind(cell) is not None:
            break
        n += 1
    return n


def _fits_as_name(live: Sequence[str], i: int, fields: Sequence[str]) -> bool:
    """Is a repeated 二级 label at ``i`` the row's 三级 name? Only when what follows it up to the next label
    fits the header's value columns; with one cell more, the next cell is the name."""
    after = 0
    for cell in live[i + 1:]:
        if level_kind(cell) is not None:
            break
        after += 1
    wanted = sum(1 for name in fields[fields.index("level3") + 1:] if name != "deviation_reason")
    return after <= wanted


def _continues_name(cell: str, cur: dict[str, str], pos: int, l3: int, rest: Sequence[str], wanted: int) -> bool:
    """Text right after a row's name, followed by as many values as the header has value columns: the
    rest of the name, not its target."""
    if "level3" not in cur or pos != l3 + 1 or _value_like(cell) or _BARE.match(cell) or level_kind(cell):
        return False
    following = 0
    for nxt in rest:
        if not (_value_like(nxt) or _BARE.match(nxt)):
            break
        following += 1
    return wanted > 1 and following >= wanted


def _split_target_weight(row: dict[str, str]) -> None:
    """目标值 and 分值 glued (``210010``: 2100 | 10) when the row has no 分值 of its own."""
    target = row.get("initial_target", "")
    if "weight" in row or "actual" in row or not re.fullmatch(r"\d{3,12}", target):
        return
    found = [p for p in splits(target, 2) if 0 < Decimal(p[1]) <= 100]
    if len(found) == 1:
        row["initial_target"], row["weight"] = found[0]


# ----------------------------------------------------------------------------------------- funding

_AMOUNTS = ("target_declared", "budget_compiled", "initial_budget", "annual_budget", "executed", "balance",
            "weight", "execution_rate", "score")


def _number(text: str) -> Decimal | None:
    value, _ = parse_decimal(text)
    return value


def align_funding(values: Sequence[str], fields: Sequence[str]) -> dict[str, str]:
    """Place a funding row's printed numbers in the header's amount columns (see the module doc)."""
    cols = [f for f in dict.fromkeys(fields) if f in _AMOUNTS]
    nums = [v for v in values if v.strip() and (_number(v) is not None or _GLUED.match(v.strip()))]
    if not cols or not nums:
        return {}
    readings = [nums]
    if len(nums) > len(cols) and all(_number(v) is not None for v in nums):
        if len(nums) - len(cols) > 2:
            return dict(zip(cols, nums, strict=False))
        # a merged cell printed once per column it spans (年初预算数 over two columns): the surplus
        # figures repeat their neighbour, and the reading without them whose arithmetic holds wins
        readings = [[v for k, v in enumerate(nums) if k not in drop]
                    for drop in itertools.combinations(range(1, len(nums)), len(nums) - len(cols))
                    if all(nums[k] == nums[k - 1] for k in drop)] or [nums[:len(cols)]]
    if len(nums) == 1:  # several amounts glued into one cell (年度资金总额303010100%)
        readings += [p for k in range(2, len(cols) + 1) for p in splits(nums[0], k)]
    best: dict[str, str] = {}
    best_score = -10 ** 6
    for reading in readings:
        for combo in itertools.combinations(range(len(cols)), len(reading)):
            placed = {cols[k]: reading[n] for n, k in enumerate(combo)}
            score = _consistency(placed)
            if score is not None and score > best_score:
                best, best_score = placed, score
    if not best and len(nums) > len(cols):
        return dict(zip(cols, nums, strict=False))
    return best


def _consistency(placed: dict[str, str]) -> int | None:
    """How well a placement of numbers agrees with itself; None when it is impossible."""
    rate_text = placed.get("execution_rate")
    for name, text in placed.items():
        if "%" in text and name != "execution_rate":
            return None  # a rate printed without its % may still be the rate: the arithmetic decides
    got = {k: _number(v) for k, v in placed.items()}
    if any(v is None for v in got.values()):
        return None
    score = 2 * sum(1 for k in ("annual_budget", "executed") if k in got) + len(got)
    try:
        budget, executed, rate = got.get("annual_budget"), got.get("executed"), got.get("execution_rate")
        if rate is not None and not 0 < rate <= 200:
            score -= 3  # nothing spent, or twice the budget: a misplaced figure far more often
        if budget and executed is not None and rate is not None and rate_text:
            score += 4 if abs(executed / budget * 100 - rate) <= Decimal("1") else -4
        if budget and executed is not None and not budget / 3 <= executed <= budget * 3:
            score -= 3
        weight, points = got.get("weight"), got.get("score")
        if weight is not None and points is not None:
            if points > weight:
                return None
            if rate is not None:
                score += 3 if abs(weight * rate / 100 - points) <= Decimal("0.6") else -1
        if weight is not None and weight not in (Decimal(10), Decimal(20), Decimal(100)):
            score -= 2
        balance = got.get("balance")
        if balance is not None and budget is not None and executed is not None:
            score += 2 if abs(budget - executed - balance) <= Decimal("0.01") else -2
        initial = got.get("initial_budget")
        if initial is not None and budget is not None and initial == budget:
            score += 1
    except (InvalidOperation, ArithmeticError):
        return None
    return score


def label_of(cells: Sequence[str]) -> tuple[str, list[str]]:
    """A funding row's label (its first cell that is not a number) and the cells after it."""
    for k, cell in enumerate(cells):
        if _number(cell) is None and label_key(cell):
            return cell, list(cells[k + 1:])
    return "", list(cells)
