"""YAML through libyaml and through PyYAML's pure-Python loader: the same data, the same refusals, the
same positions. Every test runs with each loader the installed PyYAML offers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from perfscore import safeyaml
from perfscore.errors import ReadError
from perfscore.readers import read_documents
from perfscore.readers.limits import Limits

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted([*ROOT.glob("samples/**/*.yaml"), *ROOT.glob("indicators/**/*.yaml"),
                  *ROOT.glob("perfscore/**/*.yaml")])


@pytest.fixture(params=sorted(safeyaml.LOADERS), autouse=True)
def loader(request, monkeypatch):
    monkeypatch.setattr(safeyaml, "DEFAULT_LOADER", request.param)
    return request.param


def test_libyaml_is_used_when_pyyaml_has_it():
    assert ("libyaml" in safeyaml.LOADERS) == bool(yaml.__with_libyaml__)
    if yaml.__with_libyaml__:
        from yaml.cyaml import CParser

        assert issubclass(safeyaml.LOADERS["libyaml"], CParser)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_files_read_as_yaml_safe_load_reads_them(path):
    text = path.read_text(encoding="utf-8")
    assert safeyaml.safe_load(text) == yaml.safe_load(text)


def test_a_form_file_reads_the_same(loader):
    text = (ROOT / "samples" / "shangdang-2023-xunchaban.yaml").read_text(encoding="utf-8")
    assert safeyaml.load(text, max_depth=100, max_values=10**6) == yaml.safe_load(text)


def _error(text: str, **kw):
    with pytest.raises(yaml.YAMLError) as info:
        safeyaml.load(text, max_depth=kw.get("max_depth", 50), max_values=kw.get("max_values", 10**6))
    exc = info.value
    mark = getattr(exc, "problem_mark", None)
    return type(exc).__name__, getattr(exc, "problem", None) or str(exc), (mark.line, mark.column) if mark else None


BROKEN = ["a: [1, 2\nb: 3\n", "a: 'x\n", "a:\n  - 1\n - 2\n", "a: b: c\n", "- a\nb: 1\n", "a: *nowhere\n",
          "a: \"\\ud800\"\nb: [\n", "{a: 1, a: 1}\n", "x: 1\ny:\n  z: 2\n  z: 3\n", "a: !!python/object:os.system x\n",
          "\t- a\n", "a: @b\n"]


@pytest.mark.parametrize("text", BROKEN)
def test_errors_and_their_positions_are_the_pure_loaders(text, monkeypatch):
    got = _error(text)
    monkeypatch.setattr(safeyaml, "DEFAULT_LOADER", "python")
    assert got == _error(text)


def test_nesting_deeper_than_allowed_names_where(loader):
    kind, problem, where = _error("a:\n  b: " + "[" * 60 + "]" * 60 + "\n")
    assert (kind, problem, where) == ("TooDeep", "nested deeper than 50 levels", (1, 53))
    for text in ("[" * 100_000, "[" * 100_000 + "]" * 100_000):  # never a RecursionError nor a crash
        assert _error(text) == ("TooDeep", "nested deeper than 50 levels", (0, 50))


def test_duplicate_keys_name_the_first(loader):
    kind, problem, where = _error("name: a\nyear: 1\nname: b\n")
    assert kind == "DuplicateKey" and "first at line 1" in problem and where == (2, 0)
    assert safeyaml.load("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n", max_depth=10, max_values=100) == \
        {"base": {"x": 1}, "other": {"x": 1, "y": 2}}


def test_an_alias_bomb_is_counted_not_expanded(loader):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{k}: &a{k} [*a{k - 1}, *a{k - 1}, *a{k - 1}, *a{k - 1}, *a{k - 1}, *a{k - 1}, *a{k - 1}, "
              f"*a{k - 1}, *a{k - 1}, *a{k - 1}]" for k in range(1, 9)]
    with pytest.raises(safeyaml.TooBig):
        safeyaml.load("\n".join(lines), max_depth=50, max_values=1_000_000)


def test_safe_load_is_yaml_safe_load_with_bounded_nesting(loader):
    assert safeyaml.safe_load("a: 1\na: 2\n") == {"a": 2}  # repeated keys as YAML allows them
    assert safeyaml.safe_load("") is None
    with pytest.raises(safeyaml.TooDeep):
        safeyaml.safe_load("[" * 5000 + "]" * 5000)


def test_form_files_refuse_the_same_way(tmp_path, loader):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                    "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n", encoding="utf-8")
    with pytest.raises(ReadError, match="alias"):
        list(read_documents(bomb, Limits(max_cells=500)))
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nindicators: [\n", encoding="utf-8")
    with pytest.raises(ReadError, match=r"line 3, column 1: invalid YAML"):
        list(read_documents(broken))


def test_rules_check_positions(tmp_path, loader):
    from perfscore.rules.loader import load_file

    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ngrades:\n  - {name: 优, min: 90\n", encoding="utf-8")
    deep = tmp_path / "deep.yaml"
    deep.write_text("name: x\nextra: " + "[" * 80 + "]" * 80 + "\n", encoding="utf-8")
    found = []
    for path in (bad, deep):
        problems: list = []
        assert load_file(path, problems) is None
        found.append([(p.line, p.column) for p in problems])
    assert found == [[(4, 1)], [(2, 48)]]


# --- values built straight from libyaml's events (yamlplain.from_events) against the pure loader ---

needs_libyaml = pytest.mark.skipif("libyaml" not in safeyaml.LOADERS, reason="PyYAML without libyaml")


def _outcome(monkeypatch, mode: str, read):
    monkeypatch.setattr(safeyaml, "DEFAULT_LOADER", mode)
    try:
        value = read()
    except Exception as exc:  # noqa: BLE001 - the error itself is what is compared
        mark = getattr(exc, "problem_mark", None)
        return type(exc).__name__, getattr(exc, "problem", None) or str(exc), (mark.line, mark.column) if mark else None
    return "value", repr(value), [type(v).__name__ for v in _leaves(value)]


def _leaves(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


def _same_both_ways(text: str, monkeypatch) -> None:
    for read in (lambda: safeyaml.load(text, max_depth=8, max_values=60),
                 lambda: safeyaml.load(text, max_depth=8, max_values=60, unique_keys=False),
                 lambda: safeyaml.safe_load(text)):
        assert _outcome(monkeypatch, "libyaml", read) == _outcome(monkeypatch, "python", read), text


@needs_libyaml
def test_form_files_are_built_from_events_without_nodes(monkeypatch):
    text = (ROOT / "samples" / "shangdang-2023-xunchaban.yaml").read_text(encoding="utf-8")

    def no_nodes(*args, **kwargs):
        raise AssertionError("the node path was taken")

    monkeypatch.setattr(safeyaml, "DEFAULT_LOADER", "libyaml")
    monkeypatch.setattr(safeyaml, "compose", no_nodes)
    assert safeyaml.load(text, max_depth=100, max_values=10**6) == yaml.safe_load(text)
    assert safeyaml.safe_load(text) == yaml.safe_load(text)


EVENTS_EDGE = ["", "# only a comment\n", "---\n", "--- 5\n...\n", "a\n", "[]\n", "{}\n", "- [a, {b: c}]\n- ~\n",
               "a: 1\nb: 1.5\nc: true\nd: null\ne: 2023-01-05\nf: '1'\ng: \"x\\ty\"\nh: 0x1F\ni: .inf\nj: 1_000\n",
               "1: a\n1.0: b\ntrue: c\nTrue: d\n", "a: 1\na: 2\n", "? [a]\n: b\n", "? {a: 1}\n: b\n",
               "a: &x 1\nb: *x\n", "a: !!str 1\n", "a: !custom x\n", "<<: {a: 1}\nb: 2\n", "a: {<<: {x: 1}}\n",
               "=: 1\n", "a: 2023-13-45\n", "a: 2001-12-14t21:59:43.10-05:00\n", "--- a\n--- b\n",
               "a: [" * 9 + "]" * 9 + "\n", "[" * 20, "- " * 7 + "x\n", "k: !!binary aGVsbG8=\n",
               "a: [1, 2\n", "a: 'x\n", "{a: 1, a: 1}\n", "x: 1\ny:\n  z: 2\n  z: 3\n", "\t- a\n",
               "a: " + ", ".join(["b"] * 70) + "\n", "- " + "\n- ".join(str(i) for i in range(70)) + "\n"]


@needs_libyaml
@pytest.mark.parametrize("text", EVENTS_EDGE)
def test_values_from_events_are_the_pure_loaders(text, monkeypatch):
    _same_both_ways(text, monkeypatch)


def _documents():
    from hypothesis import strategies as st

    scalars = st.one_of(
        st.sampled_from(["1", "-2", "0.5", "1e3", "0x10", "0o7", "true", "False", "yes", "null", "~", "", ".nan",
                         "2024-02-29", "≥11台", "=100%", "'quoted'", '"esc\\u00e9"', "a b", "<<", "=", "*a", "&a x",
                         "!!str 5", "!!int 5", "k: v"]),
        st.text(alphabet="ab1.-:#' 中", max_size=6))
    keys = st.sampled_from(["a", "b", "1", "1.0", "true", "'a'", "null", "<<", "名称", "? [x]"])

    def block(children):
        return st.one_of(st.lists(children, max_size=4).map(lambda xs: ("seq", xs)),
                         st.lists(st.tuples(keys, children), max_size=4).map(lambda kv: ("map", kv)))

    return st.recursive(scalars, block, max_leaves=25)


def _render(tree, indent: int = 0, flow: bool = False) -> str:
    if isinstance(tree, str):
        return tree
    kind, items = tree
    if flow or not items:
        if kind == "seq":
            return "[" + ", ".join(_render(x, flow=True) for x in items) + "]"
        return "{" + ", ".join(f"{k}: {_render(v, flow=True)}" for k, v in items) + "}"
    pad = " " * indent
    if kind == "seq":
        return "\n".join(f"{pad}- {_render(x, indent + 2, flow=True)}" for x in items)
    return "\n".join(f"{pad}{k}:\n{_render(v, indent + 2)}" if isinstance(v, tuple) and v[1] else
                     f"{pad}{k}: {_render(v, flow=True)}" for k, v in items)


@needs_libyaml
def test_random_documents_read_as_the_pure_loader_reads_them(monkeypatch):
    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(_documents())
    def check(tree):
        _same_both_ways(_render(tree) + "\n", monkeypatch)

    check()
