"""The finding catalogue: every code the engine can emit, documented in this one place.

Each code is a constant (``TOTAL_MISMATCH = "total-mismatch"``) defined with its documentation; the
checks emit the constant, so "go to definition" from a check lands on the code's documentation, and a
search for the constant from here finds its check (`perfscore.audit`; codes in the "readers" group are
emitted by `perfscore.readers` as read notes).

Codes are stable: other tools match on them. Severity: error = an arithmetic or consistency fact on
the form; warning = a deviation from the rules or a judgement call; info = a note (repairs, aliases).
`perfscore explain CODE` prints an entry; a test checks that every emitted code is here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from perfscore.results import Severity


@dataclass(frozen=True)
class FindingSpec:
    code: str
    title: str
    severity: Severity
    meaning: str
    fix: str
    rule: str


_ENTRIES: list[FindingSpec] = []  # in the order `perfscore explain` lists them


def _entry(spec: FindingSpec) -> FindingSpec:
    _ENTRIES.append(spec)
    return spec


# --- arithmetic and consistency (errors) ----------------------------------------------------
TOTAL_MISMATCH: Final = _entry(FindingSpec(
    "total-mismatch", "总分 is not the sum of the reported scores", "error",
    "The printed 总分 differs from the funding score plus every indicator's 得分 as printed, "
    "by more than tolerance.total.",
    "Re-add the column; correct either the total or the score that was changed without it.",
    "form arithmetic; tolerance.total")).code
RATE_MISMATCH: Final = _entry(FindingSpec(
    "rate-mismatch", "printed 执行率 does not match 全年执行数 / 全年预算数", "error",
    "The printed execution rate differs from B/A computed from the amounts by more than "
    "tolerance.rate percentage points.",
    "Recompute 执行率 = 全年执行数 / 全年预算数 × 100 from the amounts.",
    "funding.rate (form-notes: 执行率是执行数与全年预算数相比)")).code
FUNDING_SCORE_MISMATCH: Final = _entry(FindingSpec(
    "funding-score-mismatch", "funding 得分 differs from the rate × 分值", "error",
    "The printed funding score differs from the score the rule set gives for the amounts "
    "(national: min(B/A, 1) × 10).",
    "Score the funding block from the amounts, not from a rounded or mistyped rate.",
    "funding.formula")).code
GRADE_MISMATCH: Final = _entry(FindingSpec(
    "grade-mismatch", "printed grade contradicts the printed total", "error",
    "The grade beside 总分 is not the grade the rule set's bands give for that total.",
    "Use the grade of the total: 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, else 差 (national).",
    "grades.bands")).code
WEIGHTS_SUM: Final = _entry(FindingSpec(
    "weights-sum", "weights do not add up to 100", "error",
    "The indicator weights (分值) plus the funding weight do not add up to level1.total.",
    "Re-weight the indicators so that the form totals 100 points.",
    "level1.total")).code
SCORE_OVER_WEIGHT: Final = _entry(FindingSpec(
    "score-over-weight", "a score is above its weight", "error",
    "An indicator's or the funding block's 得分 is larger than its 分值.",
    "No indicator can earn more than its weight; cap the score at the weight.",
    "scoring.cap_at_weight")).code
FUNDING_ARITHMETIC: Final = _entry(FindingSpec(
    "funding-arithmetic", "funding amounts do not add up", "error",
    "资金结转/结余 is not 全年预算数 − 全年执行数, or the 其中 rows do not add up to 资金总额.",
    "Recompute the balance and check the breakdown rows against the total row.",
    "form arithmetic; tolerance.total")).code
FUNDING_ZERO_BUDGET: Final = _entry(FindingSpec(
    "funding-zero-budget", "money spent against a 全年预算数 of 0", "error",
    "The funding row prints a 全年执行数 but a 全年预算数 of 0, so the execution rate (执行数 / "
    "全年预算数) does not exist. The row scores what the rule set's funding.rate gives for a zero "
    "budget, and 0 of its weight when it gives nothing (national): its points are lost, not left out "
    "of the total.",
    "Print the 全年预算数 the money was spent under (the adjusted budget); spending without a budget "
    "needs its reason in 偏差原因.",
    "funding.rate (form-notes: 执行率是执行数与全年预算数相比)")).code
NARRATIVE_MISMATCH: Final = _entry(FindingSpec(
    "narrative-mismatch", "the text's counts disagree with the forms", "error",
    "The document says how many projects were self-evaluated and how many got each grade; "
    "the forms in the same document say otherwise.",
    "Correct the narrative or the forms so that both tell the same story.",
    "document consistency")).code

# --- rule deviations and judgement calls (warnings) -------------------------------------------
GRADE_CHANGE: Final = _entry(FindingSpec(
    "grade-change", "the grade changes under the recomputed total", "warning",
    "Re-scored under the rule set, the form's total falls in a different grade band than the "
    "printed grade: the finding auditors care most about.",
    "Review the indicators whose computed score differs from the reported one.",
    "grades.bands applied to the computed total")).code
SCORE_DEVIATION: Final = _entry(FindingSpec(
    "score-deviation", "a reported score is above what the rules allow", "warning",
    "For a quantitative indicator the reported score is above the formula's by more than tolerance.score; "
    "for a qualitative one it lies above the band of its 实际完成值. A score below what the rules give is "
    "`score-under` (info): the numbers carry `points`, the points given too many.",
    "Score the indicator by the rule shown in `--explain`, or correct its 实际完成值.",
    "scoring.methods / qualitative.bands")).code
LEVEL1_WEIGHT: Final = _entry(FindingSpec(
    "level1-weight", "a level-1 group's weight differs from the rule set", "warning",
    "The weights of the indicators under a 一级指标 add up to something other than the rule "
    "set's weight for that group (national: 产出 50, 效益 30, 满意度 10, funding 10).",
    "Use the standard weights, or document the special case that allows others.",
    "level1.weights")).code
MISSING_LEVEL1: Final = _entry(FindingSpec(
    "missing-level1", "a level-1 group is missing", "warning",
    "The form has no indicator under one of the rule set's level-1 groups (e.g. no 满意度指标).",
    "Add at least one indicator for every level-1 group.",
    "level1.weights")).code
QUALITATIVE_CONTRADICTION: Final = _entry(FindingSpec(
    "qualitative-contradiction", "a qualitative actual contradicts its score", "warning",
    "The 实际完成值 says 达成 (achieved) but the score is below the achieved band, or says "
    "部分达成/未达成 but the score is full.",
    "Make the words and the score agree: change the score or the 实际完成值.",
    "qualitative.bands")).code
MISSING_DEVIATION_REASON: Final = _entry(FindingSpec(
    "missing-deviation-reason", "a shortfall has no reason", "warning",
    "An indicator scored below its weight (or over-achieved by the rule set's threshold, e.g. "
    "130 %) has an empty 偏差原因分析及改进措施.",
    "Explain the deviation and the improvement measures in the 偏差原因 column.",
    "填表说明: 偏差原因; over-achievement threshold in the rule set")).code
WRONG_DIRECTION: Final = _entry(FindingSpec(
    "wrong-direction", "an indicator is written in the wrong direction for its kind", "warning",
    "A 成本指标 written as ≥, a 满意度 as ≤ …: the indicator library in indicators/library.yaml "
    "gives each kind its expected operators.",
    "Rewrite the target with the operator its kind calls for (cost: ≤, satisfaction: ≥).",
    "indicators/library.yaml")).code
BUDGET_CHANGE: Final = _entry(FindingSpec(
    "budget-change", "全年预算数 is far from 年初预算数", "warning",
    "The annual budget differs from the initial budget by more than the rule set's share; "
    "the rate is computed on the changed budget.",
    "Check that the adjustment was approved and explained.",
    "form-notes: 全年预算数的取数规则")).code
DUPLICATE_INDICATOR: Final = _entry(FindingSpec(
    "duplicate-indicator", "an indicator appears twice", "warning",
    "Two rows have the same 二级 and 三级指标: usually a copy-paste slip that double-counts weight.",
    "Remove the duplicate row or rename it for what it measures.",
    "form structure")).code
UNPARSED_VALUE: Final = _entry(FindingSpec(
    "unparsed-value", "a target or actual value could not be read", "warning",
    "The value parser could not read the string as a comparison, range, qualitative term or "
    "missing marker; the indicator keeps its reported score. On a 绩效目标完成情况表, whose values "
    "are prose by design, it is only a note (info). A number beyond what any form states (0 or "
    "between 1e-30 and 1e13 in size: a 33-digit count, a weight of 1e26) is not read either, in a "
    "value cell or in any other field (分值, 得分, 总分, the funding amounts), which is read as blank.",
    "Write the value as an operator, a number and a unit (≥11台), or add the word to "
    "indicators/vocabulary.yaml; correct a number out of range.",
    "indicators/vocabulary.yaml; perfscore.decimals (the limits of a number)")).code
FUNDING_TOTAL_BLANK: Final = _entry(FindingSpec(
    "funding-total-blank", "资金总额 row left blank while a 其中 row holds the amounts", "warning",
    "The total row of the funding block is 0 or empty while a breakdown row carries the real "
    "amounts and score; the score was computed from the breakdown.",
    "Fill the 资金总额 row.",
    "funding.use_breakdown_when_total_blank")).code
READ_INCOMPLETE: Final = _entry(FindingSpec(
    "read-incomplete", "part of a form could not be read", "warning",
    "The reader found the form but not all of it (no indicator table, no 总分 row, a number it "
    "could not make out); what was read is kept and scored.",
    "Check the original document; re-export it, or transcribe the form as YAML.",
    "readers")).code

FUNDING_FALLBACK: Final = _entry(FindingSpec(
    "funding-fallback", "funding rated on the 年初预算数: 全年预算数 is blank", "warning",
    "The funding row prints a 全年执行数 and a 年初预算数 but no 全年预算数, so 执行率 = 执行数 / 全年预算数 "
    "cannot be worked out as printed. The rule set's funding.fallback rated it on the 年初预算数 instead "
    "(national), so the row's points are not lost from the total.",
    "Print the 全年预算数 (the budget after adjustments) on the form.",
    "funding.fallback")).code
FUNDING_UNSCORED: Final = _entry(FindingSpec(
    "funding-unscored", "the funding block could not be scored", "warning",
    "A funding row has no amounts the rule set can rate (no 全年预算数 and no fallback, or no 全年执行数): "
    "its points are missing from the recomputed total, which is then lower than the form's weights allow.",
    "Print the funding amounts, or choose a funding.fallback in the rule set.",
    "funding.rows; funding.fallback")).code
OVERSPEND: Final = _entry(FindingSpec(
    "overspend", "全年执行数 is above 全年预算数", "warning",
    "More was spent than the annual budget allows: the 执行率 is above 100 % (the score is still capped "
    "at the weight).",
    "Check the amounts; spending beyond the adjusted budget needs its approval and reason in 偏差原因.",
    "funding.rate (form-notes: 全年预算数、全年执行数的取数规则)")).code
LOW_EXECUTION_UNEXPLAINED: Final = _entry(FindingSpec(
    "low-execution-unexplained", "a low 执行率 has no explanation", "warning",
    "The execution rate is below the rule set's reasons.low_execution (national: 90 %, 四川's practice) and "
    "the funding row's 偏差原因 is empty.",
    "Explain why the money was not spent, and what will be done, in the funding row's 偏差原因.",
    "reasons.low_execution")).code
UNIT_QUESTION: Final = _entry(FindingSpec(
    "unit-question", "a unitless actual against a % target", "warning",
    "The actual is a bare number of at most 1 (0.96, 1) while the target is a percentage (≥95%): it may be "
    "a fraction (96 %) or a percentage (0.96 %). The indicator is not re-scored; its reported score is kept.",
    "Write the actual with its unit (96%).",
    "scoring (perfscore.scoring.quantities)")).code
ACTUAL_OPERATOR: Final = _entry(FindingSpec(
    "actual-operator", "an actual is written with an operator", "warning",
    "实际完成值 states what was achieved, a definite value: `≥7台` or `=36人` reads like a target. The "
    "operator is ignored when scoring.",
    "Write the value reached, without an operator (7台).",
    "填表说明: 实际完成值")).code
ACTUAL_COPIES_TARGET: Final = _entry(FindingSpec(
    "actual-copies-target", "the actual is the target copied", "warning",
    "The 实际完成值 is the 指标值 verbatim, operator included (`≥95%` → `≥95%`): nothing says what was "
    "actually reached, so the full score it gets is not evidenced.",
    "Write the value actually reached (96.3%).",
    "填表说明: 实际完成值")).code
QUALITATIVE_ACTUAL: Final = _entry(FindingSpec(
    "qualitative-actual", "a quantitative target has a qualitative actual", "warning",
    "The target states a number (=100%) but the actual only says 达成预期指标: the score is then given "
    "by hand inside a band instead of being worked out from the value reached.",
    "Write the value reached in the target's unit.",
    "填表说明: 实际完成值; qualitative.bands")).code
TARGET_LOWERED: Final = _entry(FindingSpec(
    "target-lowered", "调整后指标值 was lowered to meet the actual", "warning",
    "The adjusted target is easier than the 年初指标值 and the actual meets the adjusted target but not "
    "the initial one: the adjustment made a shortfall disappear.",
    "Check the approval of the adjustment; score against the 年初指标值 if it was not approved.",
    "填表说明: 年初指标值 / 调整后指标值")).code
COST_CONTRADICTS_FUNDING: Final = _entry(FindingSpec(
    "cost-contradicts-funding", "a cost indicator contradicts the funding block", "warning",
    "A 成本指标's amount is larger than the money the form has: its target above the 全年预算数 and the "
    "年初预算数, or its actual above the 全年执行数 (300万元 against a 30万元 budget: often 元 written as 万元).",
    "Correct the amount or its unit so that the cost and the funding block agree.",
    "form consistency; indicators/library.yaml (kind cost)")).code
SHORTFALL_SCORED_FULL: Final = _entry(FindingSpec(
    "shortfall-scored-full", "an actual short of its target is self-scored full, unexplained", "warning",
    "The actual falls short of the target, yet the unit gave the indicator its full weight and wrote no "
    "偏差原因.",
    "Score the shortfall by the rules, and explain it in 偏差原因.",
    "填表说明: 偏差原因; scoring.methods")).code
ABSURD_TARGET: Final = _entry(FindingSpec(
    "absurd-target", "a target that sets nothing to achieve", "warning",
    "The target cannot be failed or makes no sense: a floor of 0 (`群众满意度 =0`, `召开会议次数 >0次`), or "
    "no target at all (`未填报`) on a row scored as achieved.",
    "Set a measurable target (≥90%, ≥4次).",
    "财预〔2020〕10号: 绩效指标应细化、量化，可衡量")).code
GRADE_DEPENDS_ON_POINT: Final = _entry(FindingSpec(
    "grade-depends-on-band-point", "the grade depends on the point chosen inside a qualitative band", "warning",
    "Qualitative indicators are scored by hand inside a band; with every such score at the bottom of its band "
    "the form gets one grade, at the top another (89.97 良 or 91.97 优): the grade rests on a judgement.",
    "Document why each qualitative score sits where it does in its band.",
    "qualitative.bands; grades.bands")).code
OVER_ACHIEVEMENT: Final = _entry(FindingSpec(
    "over-achievement", "the actual is far above its target", "info",
    "The actual reaches the rule set's reasons.over_achievement times the target (national: 130 %, 广西's "
    "rule): 财预〔2020〕10号 asks for the deviation to be explained and, where the target was set too low, "
    "for points to be taken off. A rule set takes them off with an `adjustments` deduction.",
    "Explain the over-achievement; set next year's target from what was achieved.",
    "reasons.over_achievement; adjustments")).code

# --- notes (info) -----------------------------------------------------------------------------
NARRATIVE_AGREES: Final = _entry(FindingSpec(
    "narrative-agrees", "the text's counts agree with the forms", "info",
    "The document's statement of how many projects got each grade matches the forms in it.",
    "Nothing to fix: recorded so the report shows the check was made.",
    "document consistency")).code
OPERATOR_ALIAS: Final = _entry(FindingSpec(
    "operator-alias", "an operator was read through an alias", "info",
    "A target or actual used a mangled or wordy operator (→, —, ≠, ﹦, 不低于, 以上 …) that the "
    "vocabulary maps to a standard one. One finding per form and alias, naming the cells it was read in.",
    "Write the standard operator (≥ ≤ = > <).",
    "indicators/vocabulary.yaml: operator_aliases, operator_words")).code
UNSCORABLE: Final = _entry(FindingSpec(
    "unscorable", "an indicator could not be re-scored", "info",
    "Missing target, missing weight, units that do not compare, or a qualitative target with a "
    "numeric actual: the reported score is kept and counted as is.",
    "Give the indicator a measurable target and actual.",
    "scoring")).code
REPAIR_NUMBER: Final = _entry(FindingSpec(
    "repair-number", "a garbled number was repaired while reading", "info",
    "Extraction garbled a number's separators (3,21.0,13328); the reader rebuilt it from the "
    "other figures of the form (321.013328). The printed text is kept.",
    "Check the repaired figure against the original document.",
    "readers")).code
REPAIR_LABEL_SHIFT: Final = _entry(FindingSpec(
    "repair-label-shift", "a level label was in the wrong column", "info",
    "Extraction moved a 二级/三级指标 label into another column; the reader put it back.",
    "None needed; check the row against the original document if in doubt.",
    "readers")).code
READ_ENCODING: Final = _entry(FindingSpec(
    "read-encoding", "the file was not UTF-8", "info",
    "The text file was decoded as another encoding (GB18030/GBK, UTF-16, Big5, or UTF-8 with damaged "
    "bytes replaced), detected from its bytes. A wrong guess shows as unreadable labels.",
    "Save the file as UTF-8 if the labels read wrong.",
    "readers")).code
READ_FROM_TEXT: Final = _entry(FindingSpec(
    "read-from-text", "a figure was taken from the text around the form", "info",
    "The form prints no 总分 (or no funding block), but the report around it states one "
    "(\"综合评价得分为99.8分\", \"预算2596万元，实际支出2595.6208万元\"); the reader took it from there "
    "so the audit can check it.",
    "Print the figure on the form itself.",
    "readers")).code
REPAIR_FUNDING_SHIFT: Final = _entry(FindingSpec(
    "repair-funding-shift", "funding columns were shifted", "info",
    "The funding row's numbers were shifted against its header (目标申报数/预算编制数 split, "
    "an empty leading cell); the reader aligned them.",
    "None needed; check the funding block against the original document if in doubt.",
    "readers")).code
REPAIR_MERGED_SCORE: Final = _entry(FindingSpec(
    "repair-merged-score", "a 分值/得分 merged down several rows was kept on the first", "info",
    "One 分值 or 得分 cell is merged down the rows of a 二级 group (the evaluation template's layout): the "
    "figure is the group's, printed once. The reader keeps it on the group's first row and leaves the "
    "other rows without one, so it is counted once in the sums.",
    "None needed; check the group's rows against the original document if the weights do not add up.",
    "readers")).code

FUNDING_SCORE_ARITHMETIC: Final = _entry(FindingSpec(
    "funding-score-arithmetic", "funding 得分 worked out another accepted way", "info",
    "The printed funding score is not the rule set's formula on the amounts, but it is what the formula "
    "gives by an arithmetic units commonly use and the rule set accepts (funding.accepted_arithmetic): "
    "from the printed (rounded) 执行率, from the rate rounded to 2 decimals of a percent, or truncated instead "
    "of rounded as the budget system displays it. The finding names which.",
    "None needed; print the score rounded from the amounts to avoid the note.",
    "funding.accepted_arithmetic")).code
SCORE_UNDER: Final = _entry(FindingSpec(
    "score-under", "a reported score is below what the rules give", "info",
    "The unit scored itself lower than the rule set's formula (or than the band of its 实际完成值) gives; "
    "`score-deviation` is kept for scores above what the rules allow, the ones auditors chase.",
    "None needed for the audit; score by the rule shown in `--explain` next time.",
    "scoring.methods / qualitative.bands")).code
TARGET_ADJUSTED: Final = _entry(FindingSpec(
    "target-adjusted", "年初指标值 and 调整后指标值 differ", "info",
    "The target was adjusted during the year; the adjusted one is scored.",
    "Make sure the adjustment was approved.",
    "填表说明: 年初指标值 / 调整后指标值")).code

CATALOGUE: dict[str, FindingSpec] = {entry.code: entry for entry in _ENTRIES}


def get(code: str) -> FindingSpec | None:
    return CATALOGUE.get(code)


def describe(spec: FindingSpec) -> str:
    return (f"{spec.code} [{spec.severity}] — {spec.title}\n\n"
            f"What it means: {spec.meaning}\n"
            f"How to fix it: {spec.fix}\n"
            f"Rule: {spec.rule}\n")
