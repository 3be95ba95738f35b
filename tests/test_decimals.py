"""perfscore.decimals: the limits of a number, shared by the form model, the value parser and the
rule formulas, and plain text for any Decimal, however absurd."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from perfscore.decimals import MAX_MAGNITUDE, in_range, plain
from perfscore.rules.formulas import Formula, FormulaError


@pytest.mark.parametrize(("text", "ok"), [
    ("0", True), ("-0", True), ("12.5", True), ("-3", True), ("0.30000000000000004", True),
    ("9999999999999.99", True), ("1E-30", True), ("0.000", True),
    ("1E+13", False), ("-1E+13", False), ("1E+26", False), ("1000000000000000000000000000000000", False),
    ("1E+999999999999999999", False), ("1E-31", False), ("0E-999999999", False), ("0E+99", False),
    ("NaN", False), ("sNaN", False), ("Infinity", False), ("-Infinity", False),
])
def test_in_range(text, ok):
    assert in_range(D(text)) is ok


def test_the_rule_formulas_refuse_constants_beyond_the_same_limit():
    Formula("actual * 9999999999999", {"actual"})
    for constant in (str(int(MAX_MAGNITUDE)), "1e300", "1e-40"):
        with pytest.raises(FormulaError, match="too (large|small)"):
            Formula(f"actual * {constant}", {"actual"})


@pytest.mark.parametrize(("text", "expected"), [
    ("1E+99999", "1E+99999"), ("-1E+99999", "-1E+99999"), ("1E-99999", "1E-99999"), ("0E-99999", "0"),
])
def test_plain_text_of_an_absurd_number_is_short(text, expected):
    """Printed without its exponent, 1E+999999999 is a gigabyte (issue #12: "1e99999999" as a total gave a
    200 MB report); such a number keeps its exponent."""
    assert plain(D(text)) == expected


def test_plain_text_of_ordinary_numbers_has_no_exponent():
    assert [plain(D(t)) for t in ("1E+2", "5.50", "-0", "0.000", "1E-7")] == ["100", "5.5", "0", "0", "0.0000001"]
