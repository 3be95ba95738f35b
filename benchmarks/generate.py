#!/usr/bin/env python3
"""Synthetic 绩效自评表 for the benchmarks, drawn from the real forms in ``samples/``.

Why not just repeat the samples: a benchmark is only as honest as its input. The scorer caches parsed
value strings, the output grows with the number of findings, and the readers' cost grows with the
indicator count, so forms must look like real ones in all of these, with real variety, at any size.

Everything that shapes a generated form is measured from ``samples/*.yaml`` at run time (nothing here
hard-codes a number from them), see :class:`SampleProfile`:

* the *shape* of a form — kind, 一级/二级 slots in order with their weights (so level-1 totals, and
  their errors, follow the samples), funding rows present and their fields, one or two target columns,
  whether a grade is printed — comes from one sample form chosen at random, stretched or shrunk to
  ``--indicators K`` slots;
* each indicator row (三级指标, target, actual, 偏差原因) is drawn from the pool of sample rows with the
  same 二级指标; numbers in count/amount cells (``≥11台`` / ``≥7台``, ``≤50万元``) are rescaled by a
  common random factor so that the ratio, and so the score, is kept while the strings vary;
* funding amounts are random (log-uniform 1–3,000 万元, decimals as printed in the samples) at an
  execution rate drawn from the samples' rates, drawn before the rows: a cost row's money is then kept
  within the budget and the 全年执行数 (real forms do; rescaled on its own it contradicted the funding
  block on most generated forms, a finding no real form set would show at that rate);
* scores are computed with perfscore itself, then the samples' mistakes are injected at the rates the
  samples show them: score deviations (as a share of the weight), 总分 not adding up, printed 执行率
  not matching the amounts, funding 得分 off the formula.

Deterministic for a seed (given the same samples and perfscore version). JSON Lines and YAML are
streamed form by form, so 100,000 forms need no more memory than one; xlsx holds the workbook in
memory (openpyxl does), so it is meant for hundreds of forms.

    python benchmarks/generate.py --forms 100000 --indicators 15 --seed 1 --out forms.jsonl
    python benchmarks/generate.py --forms 200 --indicators 15 --format xlsx --out forms.xlsx
    python benchmarks/generate.py --stats          # the distributions measured from the samples
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

from perfscore import load_rules, read_forms, score  # noqa: E402
from perfscore.model import Form, FundingRow, Indicator  # noqa: E402
from perfscore.rules import Rules  # noqa: E402

CENT = Decimal("0.01")
ZERO = Decimal(0)
AMOUNT_FIELDS = ("target_declared", "budget_compiled", "initial_budget")
# One number with an optional operator before and a unit after: the cells that can be rescaled.
ONE_NUMBER = re.compile(r"^(?P<pre>\D*?)(?P<num>\d+(?:\.\d+)?)(?P<unit>[^\d%]+)$")
TIME_UNITS = ("月", "年", "日", "天", "时")


# --- what the samples show ---------------------------------------------------------------------------


@dataclass
class SampleProfile:
    """Pools and rates measured from the sample forms; everything the generator draws from."""

    templates: list[Form]
    rows_by_level2: dict[str, list[Indicator]]
    rows_by_level1: dict[str, list[Indicator]]
    all_rows: list[Indicator]
    rates: list[Decimal]                  # 全年执行数 / 全年预算数 of each sample funding block
    amount_places: list[int]              # decimals printed in the samples' 全年预算数
    reasons: list[str]                    # 偏差原因 texts
    p_reason: float                       # share of rows scored below the weight that give a reason
    p_score_dev: float                    # share of scorable rows whose score is off the rules
    score_dev: list[Decimal]              # (reported − computed) / weight of those rows
    p_total: float                        # share of forms whose 总分 ≠ sum of the printed scores
    total_dev: list[Decimal]              # printed 总分 − printed sum
    p_rate: float                         # share of funding rows whose printed 执行率 ≠ the amounts'
    rate_dev: list[Decimal]               # printed − computed, in percent points
    p_funding_score: float                # share of funding rows whose 得分 ≠ rate × weight
    funding_score_dev: list[Decimal]      # printed − computed
    funding_weight: Decimal = Decimal(10)
    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_samples(cls, directory: Path, rules: Rules) -> SampleProfile:
        # only the hand transcriptions (samples/*.yaml): samples/excel, samples/word hold the same forms
        files = sorted(Path(directory).glob("*.yaml"))
        forms = [f for file in files for f in read_forms(file) if f.kind != "target_report"
                 and any(i.weight is not None for i in f.indicators)]
        if not forms:
            raise SystemExit(f"generate.py: no scored forms in {directory}")
        tol = rules.spec.tolerance
        by2: dict[str, list[Indicator]] = {}
        by1: dict[str, list[Indicator]] = {}
        rates, places, reasons = [], [], []
        n_short = n_short_reason = n_scorable = n_totals = n_rate = n_fscore = 0
        score_dev, total_dev, rate_dev, fscore_dev = [], [], [], []
        for form in forms:
            result = score(form, rules)
            for ind, res in zip(form.indicators, result.indicators, strict=True):
                by2.setdefault(_key(ind.level2), []).append(ind)
                by1.setdefault(_key(ind.level1), []).append(ind)
                if ind.deviation_reason:
                    reasons.append(ind.deviation_reason)
                if ind.weight is not None and ind.score is not None and ind.score < ind.weight:
                    n_short += 1
                    n_short_reason += bool(ind.deviation_reason)
                if res.reported_score is not None and res.computed_score is not None and ind.weight:
                    n_scorable += 1
                    delta = res.reported_score - res.computed_score
                    if abs(delta) > tol.score:
                        score_dev.append(delta / ind.weight)
            if form.reported_total is not None:
                n_totals += 1
                printed = sum((r.reported_score for r in result.indicators if r.reported_score is not None), ZERO)
                printed += (result.funding.reported_score or ZERO) if result.funding else ZERO
                if abs(form.reported_total - printed) > tol.total:
                    total_dev.append(form.reported_total - printed)
            if result.funding is not None:
                for row in result.funding.rows:
                    if row.execution_rate is not None and row.reported_rate is not None:
                        n_rate += 1
                        if abs(row.execution_rate - row.reported_rate) > tol.rate:
                            rate_dev.append(row.reported_rate - row.execution_rate)
                    if row.computed_score is not None and row.reported_score is not None:
                        n_fscore += 1
                        if abs(row.computed_score - row.reported_score) > tol.funding:
                            fscore_dev.append(row.reported_score - row.computed_score)
            main = _amount_row(form)
            if main is not None:
                rates.append(main.executed / main.annual_budget)
                places.append(max(0, -main.annual_budget.normalize().as_tuple().exponent))
        rows = [ind for form in forms for ind in form.indicators]
        funding_rules = rules.spec.funding.rows
        return cls(
            templates=forms, rows_by_level2=by2, rows_by_level1=by1, all_rows=rows,
            rates=rates or [Decimal(1)], amount_places=places or [2], reasons=reasons or ["—"],
            p_reason=_share(n_short_reason, n_short),
            p_score_dev=_share(len(score_dev), n_scorable), score_dev=score_dev or [ZERO],
            p_total=_share(len(total_dev), n_totals), total_dev=total_dev or [ZERO],
            p_rate=_share(len(rate_dev), n_rate), rate_dev=rate_dev or [ZERO],
            p_funding_score=_share(len(fscore_dev), n_fscore), funding_score_dev=fscore_dev or [ZERO],
            funding_weight=funding_rules[0].weight if funding_rules else Decimal(10),
            counts={"forms": len(forms), "rows": len(rows), "scorable rows": n_scorable,
                    "forms with 总分": n_totals, "funding rows with 执行率": n_rate,
                    "funding rows with 得分": n_fscore})

    def without_errors(self) -> SampleProfile:
        """The same shapes and pools with no injected mistakes (to check the generator itself)."""
        clean = SampleProfile(**{**self.__dict__})
        clean.p_score_dev = clean.p_total = clean.p_rate = clean.p_funding_score = 0.0
        return clean

    def describe(self) -> str:
        counts = Counter(len(f.indicators) for f in self.templates)
        lines = [f"samples: {', '.join(f'{v} {k}' for k, v in self.counts.items())}",
                 "indicators per form: " + ", ".join(f"{k}×{v}" for k, v in sorted(counts.items())),
                 f"kinds: {dict(Counter(f.kind for f in self.templates))}",
                 "二级指标 pools: " + ", ".join(f"{k or '(blank)'} {len(v)}"
                                               for k, v in sorted(self.rows_by_level2.items())),
                 f"execution rates: {sorted(float(r) for r in self.rates)}",
                 f"score deviations: p={self.p_score_dev:.3f} per row, share of weight {_floats(self.score_dev)}",
                 f"总分 mismatches: p={self.p_total:.3f} per form, {_floats(self.total_dev)}",
                 f"执行率 mismatches: p={self.p_rate:.3f} per row, {_floats(self.rate_dev)}",
                 f"funding 得分 mismatches: p={self.p_funding_score:.3f} per row, {_floats(self.funding_score_dev)}",
                 f"偏差原因 given when scored below the weight: p={self.p_reason:.3f}"]
        return "\n".join(lines)


def _key(label: str | None) -> str:
    return "".join((label or "").split())


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _floats(values: list[Decimal]) -> str:
    return str([round(float(v), 3) for v in values])


def _amount_row(form: Form) -> FundingRow | None:
    """The first funding row with both 全年预算数 and 全年执行数: where the samples' rates come from."""
    if form.funding is None:
        return None
    for row in form.funding.rows():
        if row.annual_budget and row.executed is not None:
            return row
    return None


# --- one form ------------------------------------------------------------------------------------------


class FormGenerator:
    """Draws forms from a :class:`SampleProfile`; one ``random.Random`` so a seed fixes everything."""

    def __init__(self, profile: SampleProfile, rules: Rules, seed: int, indicators: int | None = None):
        self.profile = profile
        self.rules = rules
        self.rng = random.Random(seed)
        self.indicators = indicators

    def form(self, index: int) -> dict[str, Any]:
        """Form number ``index`` as JSON-ready data (Decimals still Decimals; see :func:`plain`)."""
        rng, profile = self.rng, self.profile
        template = rng.choice(profile.templates)
        slots = _stretch([i for i in template.indicators if i.weight is not None], self.indicators)
        weights = _split_weights(template, slots)
        two_targets = any(i.adjusted_target is not None for i in template.indicators)
        name = f"{template.name}（{index + 1}）"
        data: dict[str, Any] = {
            "kind": template.kind, "name": name,
            "title": template.title.replace(template.name, name) if template.title else None,
            "department": template.department, "unit": template.unit, "year": template.year,
            "funding": self._funding(template),
            "goals": template.goals.model_dump(exclude_none=True) if template.goals else None,
        }
        data["indicators"] = self._rows(slots, weights, two_targets, _money_limits(data["funding"]))
        self._score(data, template)
        return {k: v for k, v in data.items() if v is not None}

    # indicators ---------------------------------------------------------------------------------------

    def _rows(self, slots: list[Indicator], weights: list[Decimal], two_targets: bool,
              limits: tuple[Decimal, Decimal] | None) -> list[dict]:
        used: set[str] = set()
        rows = []
        kind_of = self.rules.library.kind_of
        for slot, weight in zip(slots, weights, strict=True):
            row = self._pick(slot, used)
            used.add(row.level3)
            kind = kind_of(slot.level1, slot.level2, row.level3)
            cost = kind is not None and kind.name == "cost"
            target, actual = self._rescale(row.target, row.actual, limits if cost else None)
            out = {"level1": slot.level1, "level2": slot.level2, "level3": row.level3,
                   "initial_target": target if row.initial_target is not None or not two_targets else None,
                   "adjusted_target": target if two_targets else None, "actual": actual, "weight": weight}
            out["_row"] = row  # the sample row, for its hand score and reason; dropped before output
            rows.append(out)
        return rows

    def _pick(self, slot: Indicator, used: set[str]) -> Indicator:
        """A sample row of the same 二级 (else 一级) indicator, a 三级 not yet on this form if possible."""
        profile = self.profile
        pool = (profile.rows_by_level2.get(_key(slot.level2)) or profile.rows_by_level1.get(_key(slot.level1))
                or profile.all_rows)
        row = self.rng.choice(pool)
        for _ in range(4):
            if row.level3 not in used:
                break
            row = self.rng.choice(pool)
        return row

    def _rescale(self, target: str | None, actual: str | None,
                 limits: tuple[Decimal, Decimal] | None = None) -> tuple[str | None, str | None]:
        """Count/amount cells get a common random factor: the ratio (so the score) stays, the text varies.

        A cost row's money (``limits``: the form's largest budget and its 全年执行数, 万元) is kept within
        the funding block, as on real forms: a cost target above the budget, or a cost actual above what
        was spent, is a mistake of the form (`cost-contradicts-funding`), and the rescaled samples' costs
        against a random budget would make one on most generated forms.
        """
        t = ONE_NUMBER.match(target or "")
        a = ONE_NUMBER.match(actual or "")
        if not (t and a) or t["unit"] != a["unit"] or any(u in t["unit"] for u in TIME_UNITS) \
                or Decimal(t["num"]) == 0:
            return target, actual
        factor = Decimal(str(round(math.exp(self.rng.uniform(math.log(0.25), math.log(8))), 3)))
        places = None
        if limits is not None:
            fitted = self._fit(target or "", actual or "", limits)
            if fitted is not None and fitted < factor:
                factor = Decimal(f"{float(fitted) * self.rng.uniform(0.3, 1.0):.3g}")
                # an integer cell scaled below 1 would be printed as 1 (see `_scaled`): two decimals instead
                if min(Decimal(t["num"]), Decimal(a["num"]) or factor) * factor < 1:
                    places = 2
        return (f"{t['pre']}{_scaled(t['num'], factor, places)}{t['unit']}",
                f"{a['pre']}{_scaled(a['num'], factor, places)}{a['unit']}")

    def _fit(self, target: str, actual: str, limits: tuple[Decimal, Decimal]) -> Decimal | None:
        """The largest factor that keeps a money target within the budget and its actual within the
        全年执行数 (a random share of it, 30–100 %, is used when the drawn factor is larger); None when the
        cells are not money. With nothing spent (the samples' 0 % rate) only the target is kept in line."""
        vocab = self.rules.vocabulary
        t, a = vocab.parse(target), vocab.parse(actual)
        budget, executed = limits
        if t.base_unit != "万元" or a.base_unit != "万元" or not t.base_number or t.base_number <= 0:
            return None
        ceiling = budget / t.base_number
        if a.base_number and a.base_number > 0 and executed > 0:  # nothing spent: any cost actual is above it
            ceiling = min(ceiling, executed / a.base_number)
        return ceiling

    # funding ------------------------------------------------------------------------------------------

    def _funding(self, template: Form) -> dict[str, Any] | None:
        """Random amounts in the template's rows and fields, at an execution rate seen in the samples."""
        if template.funding is None:
            return None
        rng, profile = self.rng, self.profile
        places = rng.choice(profile.amount_places)
        annual = _q(Decimal(repr(10 ** rng.uniform(0, 3.5))), places)
        rate = rng.choice(profile.rates)
        base = _amount_row(template)
        base_annual = base.annual_budget if base is not None else None
        rows = [self._funding_row(row, annual, base_annual, rate, places) for row in template.funding.rows()]
        if rows and rng.random() < profile.p_rate:
            self._perturb_first(rows, "execution_rate", profile.rate_dev)
        if rows and rng.random() < profile.p_funding_score:
            self._perturb_first(rows, "score", profile.funding_score_dev)
        out: dict[str, Any] = {"unit": template.funding.unit}
        if template.funding.total is not None:
            out["total"] = rows.pop(0)
        out["breakdown"] = rows
        return out

    def _funding_row(self, row: FundingRow, annual: Decimal, base_annual: Decimal | None, rate: Decimal,
                     places: int) -> dict[str, Any]:
        share = row.annual_budget / base_annual if row.annual_budget and base_annual else Decimal(1)
        a = _q(annual * share, places)
        e = _q(a * rate, places)
        out: dict[str, Any] = {"label": row.label}
        for name in AMOUNT_FIELDS:
            value = getattr(row, name)
            if value is not None:
                out[name] = _q(a * (value / row.annual_budget if row.annual_budget else Decimal(1)), places)
        if row.annual_budget is not None:
            out["annual_budget"] = a
        if row.executed is not None:
            out["executed"] = e
        if row.balance is not None:
            out["balance"] = a - e
        if row.weight is not None:
            out["weight"] = row.weight
        if row.execution_rate is not None and a:
            out["execution_rate"] = _q(e / a * 100, 2)
        if row.score is not None and a:
            out["score"] = _q(min(e / a, Decimal(1)) * (row.weight or self.profile.funding_weight), 2)
        return out

    def _perturb_first(self, rows: list[dict], name: str, pool: list[Decimal]) -> None:
        for row in rows:
            if name in row:
                row[name] = max(ZERO, row[name] + self.rng.choice(pool))
                return

    # scores -------------------------------------------------------------------------------------------

    def _score(self, data: dict[str, Any], template: Form) -> None:
        """Fill the printed scores: perfscore's own, then the samples' mistakes at the samples' rates."""
        rng, profile = self.rng, self.profile
        rows = data["indicators"]
        plain_rows = [{k: v for k, v in r.items() if k != "_row" and v is not None} for r in rows]
        form = Form.model_validate({**{k: v for k, v in data.items() if v is not None}, "indicators": plain_rows})
        result = score(form, self.rules)
        printed = ZERO
        for row, res in zip(rows, result.indicators, strict=True):
            sample: Indicator = row.pop("_row")
            weight = row["weight"]
            if res.computed_score is not None:
                value = res.computed_score
                if rng.random() < profile.p_score_dev:
                    value = self._deviate(value, weight, res.band)
            elif sample.score is not None and sample.weight:
                value = sample.score / sample.weight * weight  # unscorable: the hand score, as on the sample
            else:
                value = None
            if value is not None:
                row["score"] = _q(value, 2)
                printed += row["score"]
                if sample.deviation_reason:
                    row["deviation_reason"] = sample.deviation_reason
                elif row["score"] < weight and rng.random() < profile.p_reason:
                    row["deviation_reason"] = rng.choice(profile.reasons)
        funding = data.get("funding")
        if funding:
            funding_rows = ([funding["total"]] if "total" in funding else []) + funding["breakdown"]
            printed += next((r["score"] for r in funding_rows if "score" in r), ZERO)
        if template.reported_total is not None:
            total = printed
            if rng.random() < profile.p_total:
                total += rng.choice(profile.total_dev)
            data["reported_total"] = _q(total, 2)
            if template.reported_grade:
                data["reported_grade"] = self.rules.grade(data["reported_total"])


    def _deviate(self, value: Decimal, weight: Decimal, band: tuple[Decimal, Decimal] | None) -> Decimal:
        """A printed score off the rules by a deviation seen in the samples (as a share of the weight).

        The deviation is mirrored when it would leave [0, weight], and a qualitative score it leaves
        inside its band is moved below the band: otherwise the rules would accept it and the form would
        carry fewer mistakes than the samples do.
        """
        delta = self.rng.choice(self.profile.score_dev) * weight
        out = value + delta
        if not ZERO <= out <= weight:
            out = value - delta
        out = min(max(out, ZERO), weight)
        if band is not None and band[0] <= out <= band[1]:
            out = max(ZERO, band[0] - abs(delta))
        return out


def _stretch(slots: list[Indicator], k: int | None) -> list[Indicator]:
    """The template's slots, in order, stretched or shrunk to k (each kept in proportion)."""
    if not k or k == len(slots):
        return list(slots)
    return [slots[i * len(slots) // k] for i in range(k)]


def _split_weights(template: Form, slots: list[Indicator]) -> list[Decimal]:
    """Weights for the slots that keep each 一级 group's total as on the template (errors included).

    Within a group the template's own weights are rescaled and rounded to its step (1, or 0.5 when the
    template uses halves); the rounding remainder goes to the heaviest slot.
    """
    totals: dict[str, Decimal] = {}
    for ind in template.indicators:
        if ind.weight is not None:
            totals[_key(ind.level1)] = totals.get(_key(ind.level1), ZERO) + ind.weight
    half = any(ind.weight is not None and ind.weight % 1 for ind in template.indicators)
    step = Decimal("0.5") if half else Decimal(1)
    weights = [s.weight for s in slots]
    for group, total in totals.items():
        idx = [i for i, s in enumerate(slots) if _key(s.level1) == group]
        if not idx:
            continue
        raw = sum((weights[i] for i in idx), ZERO)
        for i in idx:
            weights[i] = max(step, (weights[i] * total / raw / step).to_integral_value(ROUND_HALF_UP) * step)
        heaviest = max(idx, key=lambda i: weights[i])
        weights[heaviest] = max(step, weights[heaviest] + total - sum((weights[i] for i in idx), ZERO))
    return weights


def _q(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _money_limits(funding: dict[str, Any] | None) -> tuple[Decimal, Decimal] | None:
    """What a cost row must stay within: the largest budget of the funding block's first row with amounts
    and its 全年执行数 (万元, the block's unit), as the audit reads them; None without amounts."""
    if not funding:
        return None
    rows = ([funding["total"]] if "total" in funding else []) + funding["breakdown"]
    row = next((r for r in rows if r.get("annual_budget") or r.get("executed")), None)
    if row is None:
        return None
    budgets = [row[k] for k in ("annual_budget", *AMOUNT_FIELDS) if row.get(k) is not None]
    if not budgets or row.get("executed") is None:
        return None
    return max(budgets), row["executed"]


def _scaled(number: str, factor: Decimal, places: int | None = None) -> str:
    if places is None:
        places = len(number.split(".")[1]) if "." in number else 0
    value = _q(Decimal(number) * factor, places)
    return str(max(value, Decimal(1)) if places == 0 else value)


# --- output --------------------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """Decimals as JSON/YAML numbers (what other tools send): ints when whole, else floats.

    Every amount here has at most ~10 significant digits, so the float's shortest repr is the decimal.
    """
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def generate(count: int, *, indicators: int | None = None, seed: int = 0, samples: Path = ROOT / "samples",
             rules: str = "national", errors: bool = True) -> Iterator[dict[str, Any]]:
    """``count`` forms as plain JSON data, lazily (one at a time: constant memory)."""
    rule_set = load_rules(rules)
    profile = SampleProfile.from_samples(samples, rule_set)
    generator = FormGenerator(profile if errors else profile.without_errors(), rule_set, seed, indicators)
    for index in range(count):
        yield plain(generator.form(index))


def write_jsonl(forms: Iterator[dict], out: TextIO) -> int:
    n = 0
    for n, form in enumerate(forms, start=1):  # noqa: B007 - n is the count returned
        out.write(json.dumps(form, ensure_ascii=False, separators=(",", ":")))
        out.write("\n")
    return n


def write_yaml(forms: Iterator[dict], out: TextIO) -> int:
    """A `forms:` document, appended one list item at a time (valid YAML, streamed)."""
    import yaml

    out.write("forms:\n")
    n = 0
    for n, form in enumerate(forms, start=1):  # noqa: B007 - n is the count returned
        out.write(yaml.safe_dump([form], allow_unicode=True, sort_keys=False, width=1000))
    return n


def write_xlsx(forms: Iterator[dict], path: Path) -> int:
    """One sheet per form through perfscore's own writer (the workbook is built in memory)."""
    try:
        from perfscore.writers import export
    except ImportError as exc:
        raise SystemExit(f"generate.py: xlsx needs perfscore.writers ({exc})") from None
    from perfscore.model import Document

    doc = Document(forms=[Form.model_validate(f) for f in forms])
    export(doc, path, to="xlsx")
    return len(doc.forms)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--forms", type=int, default=1000, help="number of forms (default 1000)")
    p.add_argument("--indicators", type=int, default=None,
                   help="三级指标 per form (default: as on the sample form used as template)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", help="output file; '-' for stdout (jsonl, yaml)")
    p.add_argument("--format", choices=("jsonl", "yaml", "xlsx", "folder"),
                   help="default: from --out's suffix, else jsonl; folder: --out is a directory of xlsx, docx and "
                        "PDF files of 10 forms each (folder.py's benchmark folder; --forms 3000 makes 300 files)")
    p.add_argument("--samples", type=Path, default=ROOT / "samples", help="sample forms to draw from")
    p.add_argument("--rules", default="national", help="rule set used to compute the correct scores")
    p.add_argument("--no-errors", action="store_true", help="inject no mistakes (scores, totals, rates all right)")
    p.add_argument("--stats", action="store_true", help="print what was measured from the samples (stderr)")
    args = p.parse_args(argv)
    if args.out is None and not args.stats:
        p.error("--out is required (or --stats alone)")
    if args.indicators is not None and args.indicators < 1:
        p.error("--indicators must be at least 1")
    if args.format is None and args.out:
        suffix = Path(args.out).suffix.lower().lstrip(".")
        args.format = {"yml": "yaml"}.get(suffix, suffix) if suffix in ("yaml", "yml", "xlsx") else "jsonl"
    if args.format in ("xlsx", "folder") and args.out == "-":
        p.error(f"{args.format} needs a path")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.stats:
        print(SampleProfile.from_samples(args.samples, load_rules(args.rules)).describe(), file=sys.stderr)
        if args.out is None:
            return 0
    if args.format == "folder":
        from folder import make_folder

        make_folder(Path(args.out), files=max(1, args.forms // 10), per_file=10, indicators=args.indicators or 15,
                    seed=args.seed)
        print(f"wrote {max(1, args.forms // 10)} files of 10 forms to {args.out}", file=sys.stderr)
        return 0
    forms = generate(args.forms, indicators=args.indicators, seed=args.seed, samples=args.samples,
                     rules=args.rules, errors=not args.no_errors)
    if args.format == "xlsx":
        n = write_xlsx(forms, Path(args.out))
    else:
        writer = write_yaml if args.format == "yaml" else write_jsonl
        if args.out == "-":
            try:
                n = writer(forms, sys.stdout)
            except BrokenPipeError:  # `generate.py --out - | head`: the reader has seen enough
                sys.stderr.close()
                return 0
        else:
            with open(args.out, "w", encoding="utf-8", newline="\n") as out:
                n = writer(forms, out)
    print(f"wrote {n} forms to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
