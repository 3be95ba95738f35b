"""Hostile input to every reader and to the command line (issue #12, acceptance: the fuzz test).

Random bytes, and random mutations (byte flips, truncation, splicing, insertions, a mutated member of a
zip package) of the samples, of a PDF made from a sample and of the corpus texts beside the repository
(``../shared/corpus/forms/*.yaml``, field ``raw``; skipped when absent). For every input:

* no traceback: a reader yields documents or raises a ``PerfscoreError`` whose message is one line;
* no hang: each example runs under a cap (SIGALRM, which stops regular expressions and Python code);
* in a batch, the good form beside the hostile file still comes out, and the exit code is the documented
  one (``--fail-on never``: 0 when anything could be read, 2 when nothing could);
* the stream (``score -``, one form per line, ``--jobs 2`` in a real process) keeps every good line.

Examples are derandomized (the same on every run and on CI) and few enough for about a minute in all.
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from perfscore.cli import app
from perfscore.errors import PerfscoreError
from perfscore.readers import read_documents
from tests.conftest import REPO, SAMPLES
from tests.readers.test_regex_linear import Expired
from tests.readers.test_regex_linear import capped as capped_for

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
CAP = 30.0  # seconds for one example: a reader of a few KB that needs more is hanging
GOOD = SAMPLES / "shangdang-2023-xunchaban.yaml"
GOOD_NAME = "巡察经费"

# PERFSCORE_FUZZ_SCALE=10 runs ten times the examples (a longer hunt; CI runs the default)
SCALE = max(1, int(os.environ.get("PERFSCORE_FUZZ_SCALE", "1")))
FUZZ = settings(derandomize=True, deadline=None, database=None, max_examples=20 * SCALE,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])


Hang = Expired  # a call past its cap: a BaseException, so no reader's `except Exception` swallows it


def capped(seconds: float = CAP):  # noqa: ANN201 - a context manager
    return capped_for(seconds)


# ---------------------------------------------------------------------------------------------- seeds
def _corpus_texts() -> list[str]:
    texts = []
    for path in sorted((CORPUS / "forms").glob("*.yaml")) if CORPUS.is_dir() else []:
        raw = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("raw")
        if isinstance(raw, str) and raw.strip():
            texts.append(raw)
    return texts


def _pdf_seed() -> bytes | None:
    cache = REPO / ".pytest_cache"
    try:
        from tests.conftest import read_one
        from tests.readers.test_pdf import build_pdf
    except (ImportError, pytest.skip.Exception):  # reportlab missing
        return None
    import tempfile

    with tempfile.TemporaryDirectory(dir=cache if cache.is_dir() else None) as tmp:
        return build_pdf(read_one(GOOD), Path(tmp) / "form.pdf").read_bytes()


SEEDS: dict[str, list[bytes]] = {
    ".yaml": [p.read_bytes() for p in sorted(SAMPLES.glob("*.yaml"))],
    ".json": [json.dumps(yaml.safe_load(p.read_bytes()), ensure_ascii=False, default=str).encode()
              for p in sorted(SAMPLES.glob("*.yaml"))[:2]],
    ".xlsx": [p.read_bytes() for p in sorted((SAMPLES / "excel").glob("*.xlsx"))],
    ".docx": [p.read_bytes() for p in sorted((SAMPLES / "word").glob("*.docx"))],
}
SEEDS[".jsonl"] = [b"\n".join(SEEDS[".json"])]
CORPUS_TEXTS = _corpus_texts()


@pytest.fixture(scope="module")
def pdf_seed() -> bytes:
    data = _pdf_seed()
    if data is None:
        pytest.skip("reportlab is needed to make the PDF seed")
    return data


# ---------------------------------------------------------------------------------------------- mutations
def mutate(data: bytes, rnd: random.Random, others: list[bytes]) -> bytes:
    """One to four edits: flip bytes, cut, splice with another seed, insert or delete a run, or (for a zip
    package) mutate one member and package it again, so that the XML inside is what breaks."""
    out = bytearray(data)
    for _ in range(rnd.randint(1, 4)):
        op = rnd.choice(("flip", "cut", "splice", "insert", "delete", "member", "member"))
        if not out:
            out += bytes(rnd.randrange(256) for _ in range(8))
        at = rnd.randrange(len(out))
        if op == "flip":
            for _ in range(rnd.randint(1, 8)):
                out[rnd.randrange(len(out))] = rnd.randrange(256)
        elif op == "cut":
            del out[at:]
        elif op == "splice" and others:
            other = rnd.choice(others)
            cut = rnd.randrange(len(other) + 1)
            out[at:] = other[cut:]
        elif op == "insert":
            piece = rnd.choice([b" " * 4000, b"9" * 3000, "　".encode() * 500, b"|---|" * 200, b"\x00\xff" * 100,
                                "对1个项目开展".encode() * 300, b"[" * 3000, b"&a " * 500,
                                bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 64)))])
            out[at:at] = piece
        elif op == "delete":
            del out[at:at + rnd.randint(1, 256)]
        elif op == "member" and out[:2] == b"PK":
            out = bytearray(_mutate_member(bytes(out), rnd))
    return bytes(out)


def _mutate_member(data: bytes, rnd: random.Random) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = [(i, zf.read(i)) for i in zf.infolist()]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError):
        # not a readable zip any more: leave it broken
        return data
    k = rnd.randrange(len(members))
    info, body = members[k]
    body = bytearray(body)
    for _ in range(rnd.randint(1, 6)):
        if body:
            at = rnd.randrange(len(body))
            choice = rnd.random()
            if choice < 0.4:
                body[at] = rnd.randrange(256)
            elif choice < 0.7:
                del body[at:at + rnd.randint(1, 40)]
            else:
                body[at:at] = rnd.choice([b"<", b">", b"\"", b"&", b"99999999", b"<c r=\"XFD1048576\"/>",
                                          b"<row r=\"1048576\">", b"</", b"\x00"])
    members[k] = (info, bytes(body))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, b in members:
            zf.writestr(i.filename, b)
    return buf.getvalue()


def mutated_text(text: str, rnd: random.Random, others: list[str]) -> str:
    """Text-level mutations of a corpus form: characters replaced, lines dropped, doubled or swapped,
    cut, spliced with another form, separators changed."""
    lines = text.splitlines()
    for _ in range(rnd.randint(1, 5)):
        op = rnd.choice(("chars", "drop", "double", "swap", "cut", "splice", "separators", "garbage"))
        if not lines:
            lines = ["x"]
        i = rnd.randrange(len(lines))
        if op == "chars":
            line = list(lines[i])
            for _ in range(rnd.randint(1, 6)):
                if line:
                    line[rnd.randrange(len(line))] = rnd.choice("0123456789.,%|\t 　-—≥≤=<>（）()分万元优良中差:：\x00\ufffd")
            lines[i] = "".join(line)
        elif op == "drop":
            del lines[i]
        elif op == "double":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = rnd.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "cut":
            lines = lines[:i] + [lines[i][: rnd.randrange(len(lines[i]) + 1)]]
        elif op == "splice" and others:
            other = rnd.choice(others).splitlines()
            lines = lines[:i] + other[rnd.randrange(len(other) + 1):]
        elif op == "separators":
            a, b = rnd.sample(["\t", "|", "  ", " ", "\u3000", ""], 2)
            lines[i] = lines[i].replace(a, b)
        elif op == "garbage":
            lines.insert(i, rnd.choice(["|---|" + " " * 3000 + "x", "1" * 5000, "对1个项目开展" * 500,
                                        "填报单位:" + " " * 3000 + "(", "其中" + " " * 3000, "年度目标" * 800]))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- checks
def check_reader(path: Path) -> None:
    """Documents, or one clear line: never another exception, never a hang."""
    try:
        with capped():
            for doc in read_documents(path):
                assert doc.forms is not None
    except PerfscoreError as exc:
        message = str(exc)
        assert message and "\n" not in message, f"{path.name}: error is not one line: {message!r}"
        assert "Traceback" not in message


runner = CliRunner()


def check_batch(folder: Path) -> None:
    """The good form beside the hostile file comes out; the exit code is as README documents it."""
    with capped():
        result = runner.invoke(app, ["score", str(folder), "-f", "json", "--jobs", "1", "--fail-on", "never"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 0, result.output[-500:]  # something was readable: 0 under --fail-on never
    out = result.stdout
    report = json.loads(out[out.index("{"):])
    names = [form["name"] for form in report["forms"]]
    assert GOOD_NAME in names, names
    assert "Traceback" not in result.stderr
    assert all(len(line) < 2000 for line in result.stderr.splitlines())  # one line per problem


def _write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------------------------------- readers
READERS = [".txt", ".md", ".yaml", ".json", ".jsonl", ".xlsx", ".docx", ".pdf", ".html", ".xls", ""]


@FUZZ
@given(data=st.binary(max_size=4096), suffix=st.sampled_from(READERS))
def test_random_bytes_any_reader(tmp_path_factory, data, suffix):
    tmp = tmp_path_factory.mktemp("bytes")
    check_reader(_write(tmp, f"f{suffix}", data))


@FUZZ
@given(head=st.sampled_from([b"%PDF-1.4\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\xef\xbb\xbf", b"\xff\xfe",
                             b"<html>", b"{", b"[", b"---\n"]),
       data=st.binary(max_size=2048), suffix=st.sampled_from(READERS))
def test_magic_headers_then_bytes(tmp_path_factory, head, data, suffix):
    """Bytes that start like each format, so that sniffing sends them to every reader."""
    tmp = tmp_path_factory.mktemp("magic")
    check_reader(_write(tmp, f"f{suffix}", head + data))


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".jsonl", ".xlsx", ".docx"])
@settings(FUZZ, max_examples=25 * SCALE)
@given(seed=st.integers(0, 2**32 - 1))
def test_mutated_samples(tmp_path_factory, suffix, seed):
    rnd = random.Random(seed)
    seeds = SEEDS[suffix]
    if not seeds:
        pytest.skip(f"no {suffix} sample")
    data = mutate(rnd.choice(seeds), rnd, [s for v in SEEDS.values() for s in v])
    tmp = tmp_path_factory.mktemp("mut")
    check_reader(_write(tmp, f"m{suffix}", data))


@settings(FUZZ, max_examples=15 * SCALE)
@given(seed=st.integers(0, 2**32 - 1))
def test_mutated_pdf(tmp_path_factory, pdf_seed, seed):
    rnd = random.Random(seed)
    tmp = tmp_path_factory.mktemp("pdf")
    check_reader(_write(tmp, "m.pdf", mutate(pdf_seed, rnd, [pdf_seed])))


@settings(FUZZ, max_examples=40 * SCALE)
@given(seed=st.integers(0, 2**32 - 1), suffix=st.sampled_from([".txt", ".md"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
def test_mutated_corpus_texts(tmp_path_factory, seed, suffix, encoding):
    if not CORPUS_TEXTS:
        pytest.skip("../shared/corpus not present beside the repo")
    rnd = random.Random(seed)
    text = mutated_text(rnd.choice(CORPUS_TEXTS), rnd, CORPUS_TEXTS)
    tmp = tmp_path_factory.mktemp("corpus")
    check_reader(_write(tmp, f"c{suffix}", text.encode(encoding, errors="replace")))


# ---------------------------------------------------------------------------------------------- batches
@settings(FUZZ, max_examples=20 * SCALE)
@given(seed=st.integers(0, 2**32 - 1), suffix=st.sampled_from([".txt", ".yaml", ".json", ".xlsx", ".docx"]))
def test_batch_keeps_the_good_form(tmp_path_factory, seed, suffix):
    rnd = random.Random(seed)
    folder = tmp_path_factory.mktemp("batch")
    (folder / "good.yaml").write_bytes(GOOD.read_bytes())
    if suffix == ".txt" and CORPUS_TEXTS:
        data = mutated_text(rnd.choice(CORPUS_TEXTS), rnd, CORPUS_TEXTS).encode()
    else:
        pool = SEEDS.get(suffix) or SEEDS[".yaml"]
        data = mutate(rnd.choice(pool), rnd, pool)
    (folder / f"hostile{suffix}").write_bytes(data)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    check_batch(folder)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # inputs never modified


def test_batch_of_nothing_readable_exits_2(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"\x00\xff" * 100)
    (tmp_path / "b.yaml").write_bytes(b"name: [unclosed\n")
    with capped():
        result = runner.invoke(app, ["score", str(tmp_path), "--jobs", "1", "--fail-on", "never"])
    assert result.exit_code == 2, result.output[-300:]


# ---------------------------------------------------------------------------------------------- stream
def _good_lines() -> list[str]:
    doc = yaml.safe_load(GOOD.read_text(encoding="utf-8"))
    return [json.dumps(doc, ensure_ascii=False, default=str)]


@settings(FUZZ, max_examples=15 * SCALE)
@given(seed=st.integers(0, 2**32 - 1))
def test_stream_in_process(seed):
    """A stream of good lines with hostile lines among them: every good line gives its result."""
    rnd = random.Random(seed)
    good = _good_lines()[0]
    lines = [good] * 4
    for _ in range(rnd.randint(1, 3)):
        bad = mutate(good.encode(), rnd, [good.encode()]).decode("utf-8", errors="replace").replace("\n", " ")
        lines.insert(rnd.randrange(len(lines) + 1), bad)
    with capped():
        result = runner.invoke(app, ["score", "-", "-f", "jsonl", "--jobs", "1", "--fail-on", "never"],
                               input="\n".join(lines) + "\n")
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 0, result.output[-500:]
    names = [json.loads(line).get("name") for line in result.stdout.splitlines() if line.startswith("{")]
    assert names.count(GOOD_NAME) >= 4, names


@pytest.mark.parametrize("seed", range(3))
def test_stream_in_a_real_process(tmp_path, seed):
    """``--jobs 2`` through a real process and its workers: no hang (timeout), the good lines out."""
    rnd = random.Random(seed)
    good = _good_lines()[0]
    lines = [good] * 30
    for _ in range(5):
        bad = mutate(good.encode(), rnd, [good.encode()]).decode("utf-8", errors="replace").replace("\n", " ")
        lines.insert(rnd.randrange(len(lines) + 1), bad)
    lines.insert(15, "[" * 100000)
    done = subprocess.run([sys.executable, "-m", "perfscore", "score", "-", "-f", "jsonl", "--jobs", "2",
                           "--fail-on", "never"], check=False, input="\n".join(lines) + "\n", capture_output=True,
                          text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-500:]
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    names = [json.loads(line).get("name") for line in done.stdout.splitlines() if line.startswith("{")]
    assert names.count(GOOD_NAME) >= 30, (len(names), done.stderr[-500:])
    assert all(len(line) < 2000 for line in done.stderr.splitlines())
