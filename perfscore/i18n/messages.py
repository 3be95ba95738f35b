"""Finding messages in the reader's language.

The audit writes its messages in English with the numbers in them (`总分 printed 92 but the printed
scores add up to 91.5`), and they are data: JSON carries them as written, tools and tests match on them.
The reports show them translated: each message pattern is listed here once as a template with named
fields, under its finding code; a message that fits a template is rebuilt from the template's Chinese
(the `.po`), with the values it held. Words inside a value that the engine chose (a method, a parser's
reason, a band) are translated too. A message that fits no template is shown as written, so a new
message is never lost, only untranslated until its template is added (a test lists those it finds).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from perfscore.i18n import N_, _, language, method_label

# code → templates. `{name}` matches anything (shortest first); a template must match the whole message.
TEMPLATES: Final[dict[str, tuple[str, ...]]] = {
    "total-mismatch": (N_("总分 printed {printed} but the printed scores add up to {sum}"),),
    "grade-mismatch": (N_("grade printed {printed} but a total of {total} is {expected}"),),
    "grade-change": (N_("grade {before} (总分 {total}) becomes {after} under {rules}: recomputed total {computed}"),),
    "weights-sum": (N_("weights add up to {total} (indicators {indicators} + funding {funding}), not {expected}"),),
    "missing-level1": (N_("no indicator under {group} (expected {expected} points)"),),
    "level1-weight": (N_("{group} weights add up to {weight}, the rule set gives {expected}"),),
    "rate-mismatch": (N_("执行率 printed {printed}% but {executed}/{budget} = {rate}%"),),
    "funding-zero-budget": (
        N_("全年执行数 {executed} against a 全年预算数 of 0: {rated}; scored {score} of {weight} (printed {printed})"),
        N_("全年执行数 {executed} against a 全年预算数 of 0: {rated}; scored {score} of {weight}"),
    ),
    "score-over-weight": (N_("funding score {score} is above its weight {weight}"),
                          N_("score {score} is above its weight {weight}")),
    "funding-score-mismatch": (
        N_("funding score printed {printed} but the amounts give {computed} ({rate}% × {weight})"),),
    "funding-arithmetic": (N_("{label}: 结转/结余 printed {printed} but 全年预算数 − 全年执行数 = {expected}"),
                           N_("the 其中 rows add up to {sum} but 资金总额 is {total}")),
    "budget-change": (N_("{label}: 全年预算数 {budget} differs from 年初预算数 {initial} by {share}%"),),
    "duplicate-indicator": (N_("{name} appears {count} times"),),
    "operator-alias": (N_("'{found}' read as {means} in {count} cells: {cells}"),
                       N_("'{found}' read as {means} in {count} cell: {cells}"),
                       N_("target '{text}': '{found}' read as {means}"),
                       N_("actual '{text}': '{found}' read as {means}")),
    "unparsed-value": (N_("target '{text}' cannot be read: {reason}"),
                       N_("actual '{text}' cannot be read: {reason}")),
    "wrong-direction": (N_("{kind} target '{text}' uses {operator}; expected {expected}"),),
    "missing-deviation-reason": (N_("scored {score} of {weight} with no 偏差原因"),
                                 N_("actual {actual} is {ratio}% of target {target} with no 偏差原因")),
    "qualitative-contradiction": (
        N_("actual '{text}' ({category}) but scored {score} of {weight}, below the band [{low}, {high}]"),
        N_("actual '{text}' ({category}) but scored full {score}"),
    ),
    "score-deviation": (
        N_("over-scored: reported {reported} but {method} scoring gives {computed} (target {target}, actual {actual}, "
           "weight {weight})"),
        N_("reported {reported} but {method} scoring gives {computed} (target {target}, actual {actual}, "
           "weight {weight})"),
        N_("{category} band is [{low}, {high}], reported {reported}, clamped to {computed}"),
        N_("{category} band is [{low}, {high}), reported {reported}, clamped to {computed}"),
    ),
    "narrative-agrees": (N_("the narrative counts ({stated}) agree with the {count} forms"),),
    "score-under": (N_("under-scored: reported {reported} but {method} scoring gives {computed} (target {target}, "
                       "actual {actual}, weight {weight})"),
                    N_("under-scored: {category} band is [{low}, {high}], reported {reported}, clamped to {computed}"),
                    N_("under-scored: {category} band is [{low}, {high}), reported {reported}, clamped to {computed}")),
    "actual-operator": (N_("actual '{text}' is written with an operator: an actual is a definite value"),
                        N_("{name}: {actual} (target {target})")),
    "over-achievement": (N_("actual {actual} is {ratio}% of target {target}: explain it; a target set too low loses "
                            "points where the rule set says so"),),
    "actual-copies-target": (N_("actual '{text}' is the target copied: what was reached is not stated"),
                             N_("{name}: {actual} copies the target")),
    "funding-score-arithmetic": (N_("funding score printed {printed}: the amounts give {computed}; {how}"),),
    "qualitative-actual": (N_("target '{target}' states a number but the actual only says '{actual}'"),
                           N_("{name}: target {target}, actual {actual}")),
    "absurd-target": (N_("{name} target '{text}' is 0: nothing to achieve"),
                      N_("target '{text}' is a floor of 0: nothing to achieve"),
                      N_("no target ({text}) but scored as {category}")),
    "grade-depends-on-band-point": (
        N_("with the qualitative scores at the bottom of their bands the total is {low} ({low_grade}), at the top "
           "{high} ({high_grade}): the grade depends on the points chosen inside the bands"),),
    "shortfall-scored-full": (N_("actual {actual} is short of target {target} ({method} gives {computed} of {weight}), "
                                 "scored full with no 偏差原因"),),
    "cost-contradicts-funding": (N_("cost target {target} ({amount}) is above the funding block's budget {budget}"),
                                 N_("cost actual {actual} ({amount}) is above the 全年执行数 {executed}")),
}

# words the engine puts inside messages: parser reasons, qualitative bands
VALUE_WORDS: Final = {
    "free text": N_("free text"), "garbled number": N_("garbled number"),
    "text after the number": N_("text after the number"),
    "range with different units": N_("range with different units"),
    "too many operators": N_("too many operators"), "conflicting operators": N_("conflicting operators"),
    "operator without a number": N_("operator without a number"), "too long for a value": N_("too long for a value"),
    "achieved": N_("achieved"), "partial": N_("partial"), "not_achieved": N_("not_achieved"),
    "not achieved": N_("not achieved"),
}
_FIELD = re.compile(r"\{(\w+)\}")
# a finding about how a form writes its values lists the rows it covers: `2 rows: <row>; <row>`
_ROWS = re.compile(r"(?P<count>\d+) rows?: (?P<rows>.*)", re.S)
ROWS_TEMPLATE: Final = N_("{count} rows: {rows}")


def _pattern(template: str) -> re.Pattern[str]:
    parts, last = [], 0
    for m in _FIELD.finditer(template):
        parts.append(re.escape(template[last:m.start()]))
        parts.append(f"(?P<{m.group(1)}>.*?)")
        last = m.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts), re.S)


_COMPILED: Final = {code: tuple((_pattern(t), t) for t in templates) for code, templates in TEMPLATES.items()}


def _value(name: str, text: str) -> str:
    if name == "method":
        return method_label(text)
    word = VALUE_WORDS.get(text)
    return _(word) if word else text


def translate(code: str, message: str) -> str:
    """`message` of a finding with `code`, in the reader's language (as written when no template fits)."""
    if language() == "en":
        return message
    return _translate(language(), code, message)


@lru_cache(maxsize=4096)
def _translate(lang: str, code: str, message: str) -> str:
    rows = _ROWS.fullmatch(message)
    if rows is not None and code in _COMPILED:
        pieces = [_translate(lang, code, piece) for piece in rows.group("rows").split("; ")]
        return _(ROWS_TEMPLATE).format(count=rows.group("count"), rows="；".join(pieces))
    for pattern, template in _COMPILED.get(code, ()):
        m = pattern.fullmatch(message)
        if m is not None:
            values = {k: _value(k, v) for k, v in m.groupdict().items()}
            return _(template).format(**values)
    return message


def translated(code: str, message: str) -> bool:
    """Whether `message` fits one of the templates of `code` (a test lists the messages that do not)."""
    rows = _ROWS.fullmatch(message)
    if rows is not None:
        return all(translated(code, piece) for piece in rows.group("rows").split("; "))
    return any(p.fullmatch(message) for p, _t in _COMPILED.get(code, ()))
