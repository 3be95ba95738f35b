"""Every regular expression of the readers runs in linear time on hostile text (issue #12, item 3).

Python's ``re`` backtracks: ``\\s*X?\\s*`` over a run of spaces, a lazy ``.*?`` retried from every start,
or a digit run given back one digit at a time make a match quadratic or cubic in the length of a line
(one Markdown line ``|---|`` + 4,000 spaces + ``x`` took 58 s). These tests measure growth, not speed:
each case is timed at n and 4n characters in one run, and a linear reading grows ~4×, a quadratic one
~16×, a cubic one ~64×. A per-call cap (SIGALRM, which ``re`` honours) turns a regression into a failure
instead of a hang.

* ``test_pattern_is_linear``: every pattern the readers compile (module attributes, literal patterns in
  ``re.*`` calls, the vocabulary's patterns), attacked with strings pumped from a short witness of the
  pattern itself: a prefix of it, one of its characters (or a space, or a digit) repeated, then a
  character that makes the match fail; each timed with ``findall`` (what ``search``, ``sub`` and
  ``finditer`` do) and ``fullmatch``. Cheap screening at 256 and 2,048 characters picks the suspects,
  which are then measured at sizes where timing is reliable.
* ``test_reader_is_linear``: whole documents (10 KB to 1 MB) with the hostile lines of the issue placed in
  a table, a cell and the narrative, read through ``read_documents`` as a user's file would be.

``benchmarks/regex.py`` prints the growth table of the same cases.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import pkgutil
import re
import re._parser as sre_parse
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import perfscore.readers
from perfscore.errors import PerfscoreError
from perfscore.readers import read_documents

CAP = 20.0  # seconds for one call: far above any linear reading here, and a cubic one never ends
LINEAR = 8.0  # the most a 4× longer input may cost, as a factor (linear ≈ 4, quadratic ≈ 16)

# Patterns whose super-linear growth belongs to another part of the code base, keyed by module and the
# pattern's text (line numbers move): each is an expected failure until it is fixed, not run (it costs
# seconds to show); remove the entry with the fix and the test runs.
KNOWN: dict[tuple[str, str], str] = {
}
# Patterns only ever applied in a way that the generic attack does not model (anchored ``sub`` that
# always succeeds, or input cut to a few KB before the match): checked by what they are used for.
BOUNDED: dict[tuple[str, str], str] = {
    ("perfscore.readers.html", "_HTML_START"): "only match() on a file's first 2 KB (comments no longer nest)",
    ("perfscore.readers.funding_block", r"^其中\s*[-—:：、,，]?\s*"): "only sub() at ^, which always succeeds",
    ("perfscore.readers.grid_rows", r"^(自评等级|评价等级|绩效等级|评定等级|等级|自评结果|评价结果)\s*[:：]?\s*"):
        "only sub() at ^, which always succeeds",
    ("perfscore.readers.html", "_META_CHARSET"): "only on the first 4 KB of a file, bounded repeats",
}


# ---------------------------------------------------------------------------------------------- timing
class Expired(BaseException):
    """A call ran past the cap. Not an Exception: the readers turn those into one-line errors."""


@contextlib.contextmanager
def capped(seconds: float) -> Iterator[None]:
    """Raise Expired in the block after ``seconds`` (``re`` checks for signals while it matches)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise Expired(f"one call took more than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def cost(call: Callable[[object], object], arg: object, repeat: int = 3) -> float:
    """The least time of ``repeat`` calls (the least is the one the machine disturbed least)."""
    best = float("inf")
    for _ in range(repeat):
        with capped(CAP):
            start = time.perf_counter()
            call(arg)
            best = min(best, time.perf_counter() - start)
        if best > 0.2:  # long enough to be reliable at once
            break
    return best


@dataclass
class Growth:
    n: int
    small: float
    large: float

    @property
    def ratio(self) -> float:
        return self.large / max(self.small, 1e-9)

    def __str__(self) -> str:
        return f"n={self.n:,}: {self.small * 1e3:.2f} ms → 4n: {self.large * 1e3:.2f} ms (×{self.ratio:.1f})"


def growth(call: Callable[[object], object], make: Callable[[int], object], n: int,
           floor: float = 0.005, limit: int = 1 << 20) -> Growth:
    """Cost at n and 4n, n first raised (×4) until one call costs ``floor`` seconds, up to ``limit``."""
    small = cost(call, make(n))
    while small < floor and 4 * n <= limit:
        n *= 4
        small = cost(call, make(n))
    return Growth(n, small, cost(call, make(4 * n)))


def linear_growth(call: Callable[[object], object], make: Callable[[int], object], n: int, **kw) -> Growth:
    """``growth``, measured again (up to three times) while it looks super-linear: another process on the
    machine can slow one measurement down, but a quadratic reading is slow in every one."""
    for _ in range(3):
        g = growth(call, make, n, **kw)
        if g.ratio < LINEAR:
            break
    return g


# ---------------------------------------------------------------------------------------------- patterns
def _modules() -> list[str]:
    names = [m.name for m in pkgutil.iter_modules(perfscore.readers.__path__, "perfscore.readers.")]
    return sorted(names) + ["perfscore.values"]


def _literal_patterns(source: str) -> Iterator[str | bytes]:
    """Patterns written as literals in ``re.compile/match/search/...`` calls inside functions."""
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
                and node.args and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str | bytes)):
            yield node.args[0].value


def reader_patterns() -> dict[str, tuple[str, re.Pattern]]:
    """id -> (module, pattern) for every pattern of the readers and of the value parser."""
    found: dict[re.Pattern, tuple[str, str]] = {}
    for name in _modules():
        try:
            module = importlib.import_module(name)
        except ImportError:  # a reader whose optional library is missing
            continue
        source = Path(module.__file__).read_text(encoding="utf-8")
        for attr, value in vars(module).items():
            for k, p in enumerate(value if isinstance(value, tuple | list) else [value]):
                if isinstance(p, re.Pattern) and f"{attr} = " in source:  # defined here, not imported
                    found.setdefault(p, (name, attr if not isinstance(value, tuple | list) else f"{attr}[{k}]"))
        named = {p.pattern for p in found}
        for text in _literal_patterns(source):
            if text not in named:  # not the text of a module pattern compiled with flags
                with contextlib.suppress(re.error):
                    found.setdefault(re.compile(text), (name, repr(text)[:60]))
    from perfscore.values import default_vocabulary

    for attr, value in vars(default_vocabulary()).items():
        if isinstance(value, re.Pattern):
            found.setdefault(value, ("perfscore.values", f"Vocabulary.{attr}"))
    return {f"{module}:{label}": (module, p) for p, (module, label) in found.items()}


_REPRESENTATIVES = ["a", "0", " ", "中", ",", ".", "-", ":", "|", "(", "\u3000", "\t", "x"]
_CATEGORIES = {sre_parse.CATEGORY_DIGIT: r"\d", sre_parse.CATEGORY_NOT_DIGIT: r"\D",
               sre_parse.CATEGORY_SPACE: r"\s", sre_parse.CATEGORY_NOT_SPACE: r"\S",
               sre_parse.CATEGORY_WORD: r"\w", sre_parse.CATEGORY_NOT_WORD: r"\W"}


def _member(items) -> str:
    """A character of a character class."""
    negate = any(op is sre_parse.NEGATE for op, _ in items)
    if not negate:
        for op, av in items:
            if op is sre_parse.LITERAL:
                return chr(av)
            if op is sre_parse.RANGE:
                return chr(av[0])

    def inside(c: str) -> bool:
        for op, av in items:
            if (op is sre_parse.LITERAL and ord(c) == av
                    or op is sre_parse.RANGE and av[0] <= ord(c) <= av[1]
                    or op is sre_parse.CATEGORY and av in _CATEGORIES and re.fullmatch(_CATEGORIES[av], c)):
                return True
        return False

    return next((c for c in _REPRESENTATIVES if inside(c) != negate), "x")


def witness(tree) -> str:
    """A short string shaped like a match: each repeat once, the first branch, assertions left out."""
    out = []
    for op, av in tree:
        if op is sre_parse.LITERAL:
            out.append(chr(av))
        elif op is sre_parse.NOT_LITERAL or op is sre_parse.ANY:
            out.append("a" if av != ord("a") else "b")
        elif op is sre_parse.IN:
            out.append(_member(av))
        elif op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT):
            low, high, sub = av
            out.append(witness(sub) * max(low, 1 if high else 0))
        elif op is sre_parse.SUBPATTERN:
            out.append(witness(av[-1]))
        elif op is sre_parse.ATOMIC_GROUP:
            out.append(witness(av))
        elif op is sre_parse.BRANCH:
            out.append(witness(av[1][0]))
    return "".join(out)


def pumps(pattern: re.Pattern) -> Iterator[tuple[str, str, str]]:
    """(prefix, unit, suffix): the hostile strings are prefix + unit × n + suffix."""
    source = pattern.pattern.decode("latin-1") if isinstance(pattern.pattern, bytes) else pattern.pattern
    w = witness(sre_parse.parse(source, pattern.flags & ~re.ASCII))[:60]
    seen = set()
    for k in range(len(w) + 1):
        units = ({w[k]} if k < len(w) else set()) | {" ", "0"}
        shapes = [(w[:k], u) for u in sorted(units)] + ([("", w[:k])] if k >= 2 else [])
        for prefix, unit in shapes:
            for suffix in ("\x00", ""):
                if (prefix, unit, suffix) not in seen:
                    seen.add((prefix, unit, suffix))
                    yield prefix, unit, suffix


def _maker(pattern: re.Pattern, prefix: str, unit: str, suffix: str) -> Callable[[int], str | bytes]:
    def make(n: int) -> str | bytes:
        s = prefix + unit * max(1, n // len(unit)) + suffix
        return s.encode("utf-8") if isinstance(pattern.pattern, bytes) else s
    return make


def suspects(pattern: re.Pattern) -> Iterator[tuple[str, Callable, Callable[[int], object]]]:
    """Pumped inputs whose cost grows fast between 256 and 2,048 characters (linear: ×8)."""
    for prefix, unit, suffix in pumps(pattern):
        make = _maker(pattern, prefix, unit, suffix)
        for op in (pattern.findall, pattern.fullmatch):
            label = f"{op.__name__}({prefix!r} + {unit!r} × n + {suffix!r})"
            small = cost(op, make(256), repeat=2)
            if small > 0.02:  # already slow at 256 characters: measure it, but do not go near 2,048
                yield label, op, make
                return
            large = cost(op, make(2048), repeat=2)
            if large > 0.0005 and large / max(small, 1e-7) > 24:
                yield label, op, make


PATTERNS = reader_patterns()


def _marks(key: str):
    module, pattern = PATTERNS[key]
    for (m, text), reason in KNOWN.items():
        if m == module and (pattern.pattern == text or key.endswith(f":{text}")):
            return [pytest.mark.xfail(reason=reason, run=False)]
    for (m, text), reason in BOUNDED.items():
        if m == module and (pattern.pattern == text or key.endswith(f":{text}")):
            return [pytest.mark.skip(reason=reason)]
    return []


@pytest.mark.parametrize("key", [pytest.param(k, marks=_marks(k)) for k in PATTERNS])
def test_pattern_is_linear(key):
    _, pattern = PATTERNS[key]
    label = "screening at 256 characters"
    try:
        for label, op, make in suspects(pattern):
            g = linear_growth(op, make, 256)
            assert g.ratio < LINEAR, f"{key}: {label}: {g}"
    except Expired as exc:
        pytest.fail(f"{key}: {label}: {exc}")


def test_patterns_are_found():
    """The discovery sees the patterns of the issue (a sweep over nothing would pass)."""
    keys = "\n".join(PATTERNS)
    for expected in ("text_grid:_CJK_GAP", "text:_GRADE_COUNT", "text:_FORM_COUNT[2]", "grid_rows:FILLED_BY",
                     "grid_labels:INLINE_AMOUNT", "values:Vocabulary._range_re", "numbers:'(?<!"):
        assert expected in keys


def test_sweep_catches_backtracking():
    """The attack finds the shapes the issue reported, written the way they were."""
    for bad in (r"^\s*\|?(\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*\|?\s*$",  # the Markdown rule: cubic
                r"(\d+)\s*个(?:项目)?\s*自评",  # a digit run given back one digit at a time
                r"对\s*(\d+)\s*个项目(?:开展|进行)了?[^。，,；;]*?自评",  # a lazy gap from every start
                r"(年度目标|预期目标).*实际完成"):  # a greedy tail retried from each label
        # timings on a shared machine: a shape is caught when any of three screens finds it super-linear
        caught = False
        for _attempt in range(3):
            found = next(suspects(re.compile(bad)), None)
            if found is not None and growth(found[1], found[2], 64, floor=0.002, limit=1 << 12).ratio >= LINEAR:
                caught = True
                break
        assert caught, bad


# ---------------------------------------------------------------------------------------------- readers
FORM = """# 2023年度项目支出绩效自评表

| 项目名称 | 测试项目 | 主管部门 | 某局 |
|---|---|---|---|
| 预算执行情况 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 |
| 资金总额 | 100 | 90 | 10 | 90% | 9 |
| 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 |
| 产出指标 | 数量指标 | 培训人数 | ≥100人 | 120人 | 50 | 50 |
| {cell} | 质量指标 | 合格率 | ≥90% | 95% | 40 | {cell} |
{line}
| 总分 | | | | | 100 | 99 |

{line}
"""

# The hostile lines: those of the issue, then one for each kind of pattern fixed with them.
HOSTILE: dict[str, Callable[[int], str]] = {
    "markdown rule + spaces": lambda n: "|---|" + " " * n + "x",
    "a line of digits": lambda n: "1" * n,
    "对N个项目开展 repeated": lambda n: "对1个项目开展" * (n // 7),
    "填报单位: + spaces": lambda n: "填报单位:" + " " * n + "(",
    "goal labels repeated": lambda n: "年度目标" * (n // 4),
    "N个 + spaces": lambda n: "3个" + " " * n + "x",
    "其中 + spaces": lambda n: "其中" + " " * n + "x",
    "label + spaces": lambda n: "产出指标" + " " * n + "x",
    "title + spaces": lambda n: "绩效自评表" + " " * n + "x",
    "spaces": lambda n: " " * n + "x",
    "digits and dots": lambda n: "1." * (n // 2) + "x",
    "digits and commas": lambda n: "1," * (n // 2) + "x",
    "open brackets": lambda n: "（2023" + " " * n,
}
ISSUE = ("markdown rule + spaces", "a line of digits", "对N个项目开展 repeated")


def _document(hostile: str) -> str:
    return FORM.format(cell=hostile.replace("|", "｜"), line=hostile)


def _read(path: Path) -> None:
    try:
        for _ in read_documents(path):
            pass
    except PerfscoreError:  # a clear refusal is as good as a reading here: only the time counts
        pass


@pytest.mark.parametrize("case", list(HOSTILE))
def test_reader_is_linear(tmp_path, case):
    files = {}

    def make(n: int) -> Path:
        if n not in files:
            path = tmp_path / f"{n}.md"
            path.write_text(_document(HOSTILE[case](n)), encoding="utf-8")
            files[n] = path
        return files[n]

    try:  # 8 KB and more; the issue's own lines up to 1 MB
        g = linear_growth(_read, make, 1 << 13, floor=0.02, limit=1 << (18 if case in ISSUE else 16))
    except Expired as exc:
        pytest.fail(f"{case}: {exc}")
    assert g.ratio < LINEAR, f"{case}: {g}"


def test_form_template_is_read(tmp_path):
    """The template the hostile lines go into is a form the reader finds (else nothing would be tested)."""
    path = tmp_path / "form.md"
    path.write_text(_document("—"), encoding="utf-8")
    forms = [form for doc in read_documents(path) for form in doc.forms]
    assert [form.name for form in forms] == ["测试项目"]
    assert forms[0].indicators and forms[0].indicators[0].level3 == "培训人数"
