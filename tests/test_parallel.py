"""Workers and the JSON pipeline: chunks of raw lines, digests, block writes, the collector's state."""

from __future__ import annotations

import gc
import io
import json
import sys
from pathlib import Path

import pytest

from perfscore import load_rules, parallel, read_forms, score_many
from perfscore.batch import Digest, SummaryBuilder, run
from perfscore.errors import PerfscoreError
from perfscore.fileio import Spooled, spool, unspool
from perfscore.report.jsonout import JsonlWriter
from perfscore.run import run_score
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def lines() -> list[str]:
    """Every sample form as a JSON line, then a blank line, a bad line and an invalid form."""
    forms = [f.model_dump_json() for f in read_forms(SAMPLES)]
    return forms + ["", "{not json", json.dumps({"name": "x", "indicators": [{}]})] + forms


def score_to_file(tmp_path, inputs, fmt: str, jobs: int, **options) -> tuple[bytes, int]:
    out = tmp_path / f"out-{jobs}.{fmt}"
    code = run_score([str(i) for i in inputs], rules="national", fmt=fmt, output=out, fail_on="error",
                     select=options.get("select"), ignore=options.get("ignore"), explain=False, jobs=jobs,
                     progress=False)
    return out.read_bytes(), code


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_workers_write_what_one_process_writes(tmp_path, monkeypatch, capsys, lines, newline, fmt):
    """Small chunks, so that lines, errors and narratives fall into several digests."""
    monkeypatch.setattr(parallel, "CHUNK_BYTES", 3000)
    path = tmp_path / "forms.jsonl"
    path.write_bytes(("\ufeff" + newline.join(lines) + newline).encode("utf-8"))
    inputs = [path, *sorted(SAMPLES.glob("*.yaml"))]
    one, code_one = score_to_file(tmp_path, inputs, fmt, 1)
    errors_one = capsys.readouterr().err
    two, code_two = score_to_file(tmp_path, inputs, fmt, 2)
    assert (two, code_two, capsys.readouterr().err) == (one, code_one, errors_one)
    assert f"line {lines.index('{not json') + 1}: invalid JSON" in errors_one
    selected, _ = score_to_file(tmp_path, inputs, fmt, 2, ignore={"total-mismatch"})
    assert selected == score_to_file(tmp_path, inputs, fmt, 1, ignore={"total-mismatch"})[0]
    assert b"total-mismatch" in one and b"total-mismatch" not in selected


def test_chunks_are_whole_lines_numbered_as_a_text_stream_reads_them(monkeypatch):
    monkeypatch.setattr(parallel, "CHUNK_BYTES", 7)
    data = "\ufeffa\r\nbb\rccc\n\ndddddddddddd\nlast".encode("utf-8")
    tasks = list(parallel._byte_tasks(io.BytesIO(data), "x", bom=True))
    chunks = [task[1] for task in tasks]
    assert b"".join(chunks) == data[3:]
    assert all(chunk.endswith(b"\n") for chunk in chunks[:-1])
    text = list(io.StringIO(data.decode("utf-8-sig"), newline=None))
    for chunk, first in zip(chunks, (task[2] for task in tasks)):
        assert next(io.StringIO(chunk.decode("utf-8"), newline=None)) == text[first - 1]


@pytest.mark.parametrize("text", ["", "\n", "a\nb", "a\nb\n\n", '{"x": "\u2028\x1c\x85"}\nb\n', "a\r\nb\rc\n",
                                  "a\r", "\r\r\n\n"])
def test_worker_lines_are_numbered_as_a_text_streams_lines(text):
    """Lines split at \\n only: `byte_items` cuts a lone \\r itself, so each text line keeps its number."""
    from perfscore.readers.structured import byte_items, stream_items

    chunk = text.encode("utf-8")
    lines = parallel._byte_lines(chunk) if chunk else []
    assert b"\n".join(lines) == chunk.removesuffix(b"\n")
    got = [(str(item), item.where) for item in byte_items(lines, "x", 5)]
    want = [(str(item), item.where) for item in stream_items(io.StringIO(text, newline=None), "x", 5)]
    assert got == want and len(got) == sum(1 for line in io.StringIO(text, newline=None) if line.strip())


def test_a_line_that_is_not_utf8_is_one_line_in_a_chunk_and_the_stream_goes_on(tmp_path, monkeypatch, capsys,
                                                                                  lines):
    good = lines[0].encode("utf-8") + b"\n"
    monkeypatch.setattr(parallel, "CHUNK_BYTES", 2 * len(good) + 5)  # the bad line shares a chunk
    path = tmp_path / "forms.jsonl"
    path.write_bytes(good + b'{"name": "\xff"}\n' + good * 3)
    outputs = []
    for jobs in (1, 2):
        out, _ = score_to_file(tmp_path, [path], "jsonl", jobs)
        assert capsys.readouterr().err.splitlines() == [f"perfscore: {path}, line 2: not UTF-8 text"]
        outputs.append(out)
    assert len(outputs[0].splitlines()) == 4 and outputs[0] == outputs[1]


def test_a_digest_counts_what_the_documents_count(national):
    docs = list(run([*sorted(SAMPLES.glob("*.yaml")), SAMPLES / "missing.yaml"], national))
    one = SummaryBuilder()
    for doc in docs:
        one.add(doc)
    merged = SummaryBuilder()
    for part in (docs[:2], docs[2:]):
        merged.merge(Digest.of("x", part).summary)
    assert merged.build().model_dump_json() == one.build().model_dump_json()
    assert merged.worst() == one.worst() == 2
    digest = Digest.of("x", docs)
    assert digest.documents == len(docs) and len(digest.errors) == 1
    assert digest.lines.decode("utf-8").splitlines() == [f.model_dump_json() for d in docs for f in d.forms]


def test_jsonl_writer_flushes_at_most_every_tenth_of_a_second(national):
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8")
    writer = JsonlWriter(out)
    docs = list(run([SAMPLES / "shangdang-2023-xunchaban.yaml"], national)) * 3
    writer.document(docs[0])  # the first is flushed at once
    first = raw.getvalue()
    assert first.decode("utf-8") == docs[0].forms[0].model_dump_json() + "\n"
    writer.document(docs[1])  # within FLUSH_EVERY: kept for the next block
    assert raw.getvalue() == first
    writer.flushed -= JsonlWriter.FLUSH_EVERY
    writer.document(docs[2])
    assert raw.getvalue() == first * 3


def test_jsonl_writer_writes_text_to_a_stream_without_a_buffer(national):
    out = io.StringIO()
    writer = JsonlWriter(out)
    docs = list(run([SAMPLES / "shangdang-2023-xunchaban.yaml"], national))
    writer.document(docs[0])
    writer.end(SummaryBuilder().build())
    assert out.getvalue() == docs[0].forms[0].model_dump_json() + "\n"


def test_the_command_restores_the_collector_and_the_library_leaves_it_alone(tmp_path):
    before = gc.get_threshold(), gc.get_freeze_count()
    score_to_file(tmp_path, [SAMPLES / "shangdang-2023-xunchaban.yaml"], "jsonl", 1)
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
    list(score_many(read_forms(SAMPLES), load_rules("national")))
    assert (gc.get_threshold(), gc.get_freeze_count()) == before


def perfscore(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None):
    import os
    import subprocess

    return subprocess.run([sys.executable, "-m", "perfscore", *args], input=stdin, capture_output=True,
                          env={**os.environ, **(env or {})}, timeout=120)


BAD_BYTES = (b'{"name":"P","indicators":[{"level3":"\xff\xfe","weight":10,"score":9}]}\n'
             + '{"name":"Q","indicators":[{"level3":"好","weight":10,"score":9}]}\n'.encode())


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("from_stdin", [False, True])
def test_a_line_that_is_not_utf8_is_reported_and_skipped(tmp_path, jobs, from_stdin):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(BAD_BYTES)
    source = "-" if from_stdin else str(path)
    done = perfscore("score", source, "--format", "jsonl", "--jobs", jobs, "--fail-on", "never",
                     stdin=BAD_BYTES if from_stdin else None)
    name = "<stdin>" if from_stdin else str(path)
    assert done.returncode == 0
    assert done.stderr.decode().splitlines() == [f"perfscore: {name}, line 1: not UTF-8 text"]
    assert [json.loads(line)["name"] for line in done.stdout.decode().splitlines()] == ["Q"]


def test_a_terminal_that_is_not_utf8_gets_escapes_and_json_gets_utf8(tmp_path):
    path = tmp_path / "good.jsonl"
    path.write_bytes(BAD_BYTES.splitlines(keepends=True)[1])
    table = perfscore("score", str(path), "--fail-on", "never", env={"PYTHONIOENCODING": "latin-1"})
    assert table.returncode == 0 and b"Traceback" not in table.stderr
    assert b"\\u597d" in table.stdout  # 好, escaped
    lines = perfscore("score", str(path), "--format", "jsonl", "--fail-on", "never",
                      env={"PYTHONIOENCODING": "latin-1"})
    assert json.loads(lines.stdout.decode("utf-8"))["indicators"][0]["level3"] == "好"


def test_chunks_and_json_go_through_the_spool_and_nothing_is_left_behind(tmp_path, monkeypatch, capsys, lines):
    import tempfile

    spool_root = tmp_path / "tmp"
    spool_root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool_root))
    spooled = []
    monkeypatch.setattr(parallel, "spool", lambda data, directory: spooled.append(directory) or spool(data, directory))
    monkeypatch.setattr(parallel, "CHUNK_BYTES", 3000)
    path = tmp_path / "forms.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    two, _ = score_to_file(tmp_path, [path], "jsonl", 2)
    one, _ = score_to_file(tmp_path, [path], "jsonl", 1)
    assert two == one
    assert len(spooled) > 3 and all(d and d.startswith(str(spool_root)) for d in spooled)  # the parent's chunks
    assert list(spool_root.iterdir()) == []


def test_a_worker_spools_its_json(tmp_path, monkeypatch, national, lines):
    for name, value in (("_rules", national), ("_digest", True), ("_spool_dir", str(tmp_path))):
        monkeypatch.setattr(parallel, name, value)
    chunk = "\n".join(lines[:3]).encode("utf-8")
    [digest] = parallel._score_lines(spool(chunk, str(tmp_path)), 1, "x")
    assert isinstance(digest.lines, Spooled) and len(list(tmp_path.iterdir())) == 1
    monkeypatch.setattr(parallel, "_spool_dir", None)
    [in_band] = parallel._score_lines(chunk, 1, "x")
    assert unspool(digest.lines) == in_band.lines and in_band.lines.count(b"\n") == 3
    assert list(tmp_path.iterdir()) == []


def test_spooled_bytes_are_read_back_once(tmp_path):
    data = b"\xe4\xb8\xad" * 1000
    assert spool(data, None) is data
    spooled = spool(data, str(tmp_path))
    assert isinstance(spooled, Spooled) and Path(spooled.path).parent == tmp_path
    assert unspool(spooled) == data and list(tmp_path.iterdir()) == []
    assert spool(data, str(tmp_path / "missing")) is data  # cannot be written: passed as bytes
    with pytest.raises(PerfscoreError, match="cannot read back"):
        unspool(spooled)


@pytest.mark.parametrize("from_stdin", [False, True])
def test_a_lone_carriage_return_reads_the_same_with_any_number_of_jobs(tmp_path, from_stdin):
    """A file is read with universal newlines and standard input (on POSIX) without, as `sys.stdin`
    reads it; workers follow the same rule, so --jobs changes nothing."""
    good = '{"name":"P","indicators":[{"level3":"好","weight":10,"score":9}]}'
    data = (good + "\r" + good.replace('"P"', '"Q"') + "\n" + good.replace('"P"', '"R"') + "\n").encode()
    path = tmp_path / "cr.jsonl"
    path.write_bytes(data)
    source = "-" if from_stdin else str(path)
    runs = [perfscore("score", source, "--format", "jsonl", "--jobs", jobs, "--fail-on", "never",
                      stdin=data if from_stdin else None) for jobs in ("1", "2")]
    assert runs[0].stdout == runs[1].stdout and runs[0].stderr == runs[1].stderr
    names = [json.loads(line)["name"] for line in runs[0].stdout.decode().splitlines()]
    if from_stdin and sys.platform != "win32":
        assert names == ["R"] and b"<stdin>, line 1: invalid JSON" in runs[0].stderr
    else:
        assert names == ["P", "Q", "R"] and runs[0].stderr == b""


# --- signals: the parent stopped or killed mid-run, with workers --------------------------------------

LINUX_PROC = Path("/proc/self/task").is_dir()


def _children(pid: int) -> set[int]:
    """The child processes of `pid`, from /proc (psutil is not a dependency)."""
    kids: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids |= {int(k) for k in (task / "children").read_text().split()}
        except OSError:
            pass
    return kids


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's exit may wait for an init that does not reap)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _until(condition, seconds: float) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _mid_run(tmp_path: Path, fmt: str, to_file: bool, chunks: int = 3):
    """The CLI scoring standard input with two workers, stdin left open after `chunks` chunks' worth of
    forms: whatever the machine's speed, the run is under way and cannot end by itself. (Results are
    taken in once more than 2 × IN_FLIGHT_PER_WORKER chunks are out.) Returns the process, its temp
    directory (TMPDIR: the spool directory goes there) and the output path."""
    import os
    import subprocess
    import threading

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / f"out.{fmt}"
    form = next(read_forms(SAMPLES / "shangdang-2023-zuzhibu.yaml")).model_dump_json() + "\n"
    data = (form * (chunks * parallel.CHUNK_BYTES // len(form.encode()) + 1)).encode()
    proc = subprocess.Popen([sys.executable, "-m", "perfscore", "score", "-", "--format", fmt, "--jobs", "2",
                             "--fail-on", "never", *(["-o", str(out)] if to_file else [])],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "TMPDIR": str(tmp)})

    def feed() -> None:  # a thread: the pipe fills while the parent is busy or gone
        try:
            proc.stdin.write(data)
            proc.stdin.flush()
        except OSError:
            pass

    threading.Thread(target=feed, daemon=True).start()
    return proc, tmp, out


def _read_all(stream, seconds: float) -> bytes | None:
    """Everything up to end of file, or None if it does not come within `seconds` (someone holds the pipe)."""
    import threading

    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(stream.read()), daemon=True)
    reader.start()
    reader.join(seconds)
    return got[0] if got else None


@pytest.mark.skipif(not LINUX_PROC, reason="reads child processes from Linux's /proc")
@pytest.mark.parametrize("to_file", [True, False], ids=["to-file", "to-stdout"])
@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP", "SIGKILL"])
def test_a_parent_stopped_or_killed_leaves_no_worker_spool_or_temp_file(tmp_path, signame, to_file):
    """Killed or stopped mid-run, the parent left its workers waiting forever on each other's pipe, with the
    spool directory, the output's temp file and the caller's stdout open (issue #12). TERM and HUP now
    unwind as Ctrl-C does; on SIGKILL, which nothing in the parent can catch, the workers end with it
    and remove what it left."""
    import contextlib
    import os
    import signal

    proc, tmp, out = _mid_run(tmp_path, "jsonl", to_file)
    workers: set[int] = set()
    try:
        started = _until(lambda: len(_children(proc.pid)) >= 2 and any(tmp.glob("perfscore-spool-*"))
                         and (not to_file or any(tmp_path.glob(".out.jsonl.*"))), 120)
        assert started, proc.stderr.read().decode() if proc.poll() is not None else "not started in 120 s"
        workers = _children(proc.pid)
        proc.send_signal(getattr(signal, signame))
        assert _read_all(proc.stdout, 30) is not None, "stdout still open 30 s after the signal"
        code = proc.wait(timeout=30)
        assert _until(lambda: not any(_running(w) for w in workers), 30), "workers outlived their parent"
        assert _until(lambda: not list(tmp.iterdir()), 10), [(p, list(p.iterdir())) for p in tmp.iterdir()]
        assert not list(tmp_path.glob(".out.jsonl.*")) and not out.exists()
        err = proc.stderr.read().decode()
        if signame == "SIGKILL":
            assert code == -signal.SIGKILL
        else:
            assert code == 130, err
            assert err == "perfscore: interrupted; no partial output written\n"
    finally:  # whatever failed, nothing is left running to hold the test's pipes
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        for worker in workers:
            if _running(worker):
                with contextlib.suppress(OSError):
                    os.kill(worker, signal.SIGKILL)
