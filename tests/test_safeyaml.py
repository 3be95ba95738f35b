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
