"""Output files: a regular file replaced atomically or not at all, a FIFO or descriptor written and never
replaced, symlinks followed, inputs and the rule file never written, every refusal one line.

The FIFO and descriptor tests run the command in a subprocess and read with a deadline, so a wrong
implementation fails them instead of hanging them; devices are stood for by FIFOs and symlinks in a
temp directory, never by real device files."""

from __future__ import annotations

import json
import os
import select
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from perfscore.errors import PerfscoreError
from perfscore.fileio import Output, OutputError
from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "shangdang-2023-xunchaban.yaml"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
HAS_PROC_FD = Path("/proc/self/fd").is_dir()


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- regular files: atomically, or not at all ---------------------------------------------------------


def test_a_report_is_never_seen_half_written_and_keeps_the_file_mode(tmp_path):
    target = tmp_path / "report.txt"
    target.write_text("old report\n", encoding="utf-8")
    target.chmod(0o640)
    with Output(target).text() as fh:
        fh.write("new ")
        fh.flush()
        assert target.read_text(encoding="utf-8") == "old report\n"  # the write goes elsewhere until done
        fh.write("report\n")
    assert target.read_text(encoding="utf-8") == "new report\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert listing(tmp_path) == ["report.txt"]


@pytest.mark.parametrize("failure", [RuntimeError("writer bug"), KeyboardInterrupt(),
                                     OSError(28, "No space left on device")],
                         ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("mode", ["text", "path"])
def test_a_failed_write_leaves_the_old_file_byte_identical_and_no_temp_file(tmp_path, failure, mode):
    target = tmp_path / "report.json"
    target.write_bytes(b'{"old": true}\n')
    inode = target.stat().st_ino
    with pytest.raises((type(failure), OutputError)) as info:
        with getattr(Output(target), mode)() as dest:
            if mode == "text":
                dest.write("half a rep")
            else:
                dest.write_bytes(b"half a rep")
            raise failure
    assert target.read_bytes() == b'{"old": true}\n' and target.stat().st_ino == inode
    assert listing(tmp_path) == ["report.json"]
    if isinstance(failure, OSError):  # said in one line naming the output, not a traceback
        assert str(info.value) == f"cannot write {target}: No space left on device"


def test_an_os_error_about_another_file_is_not_blamed_on_the_output(tmp_path):
    with pytest.raises(FileNotFoundError), Output(tmp_path / "report.txt").text():
        open(tmp_path / "missing-input.yaml", encoding="utf-8")
    assert listing(tmp_path) == []


def test_a_discarded_report_leaves_the_old_one(tmp_path):
    target = tmp_path / "report.json"
    target.write_bytes(b"old")
    out = Output(target)
    with out.text() as fh:
        fh.write("empty report")
        out.discard()
    assert target.read_bytes() == b"old" and listing(tmp_path) == ["report.json"]


def test_a_symlink_to_a_regular_file_is_followed_and_kept(tmp_path):
    (tmp_path / "reports").mkdir()
    real = tmp_path / "reports" / "2023.json"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "latest.json"
    link.symlink_to(Path("reports") / "2023.json")
    with Output(link).text() as fh:
        fh.write("new")
    assert link.is_symlink() and os.readlink(link) == str(Path("reports") / "2023.json")
    assert real.read_text(encoding="utf-8") == "new"
    assert listing(tmp_path / "reports") == ["2023.json"] and listing(tmp_path) == ["latest.json", "reports"]


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "out.json"
    link.symlink_to(tmp_path / "new.json")
    with Output(link).text() as fh:
        fh.write("{}")
    assert link.is_symlink() and (tmp_path / "new.json").read_text(encoding="utf-8") == "{}"


# --- what must never be written -----------------------------------------------------------------------


def _refused(path, *args, **kwargs) -> str:
    with pytest.raises(PerfscoreError) as info:
        Output(path, *args, **kwargs)
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"cannot write {path}: "), message
    return message


def test_inputs_and_the_rule_file_are_never_outputs_however_they_are_named(tmp_path):
    form = tmp_path / "form.yaml"
    form.write_bytes(SAMPLE.read_bytes())
    (tmp_path / "hard.yaml").hardlink_to(form)
    (tmp_path / "soft.yaml").symlink_to(form)
    for alias in (form, tmp_path / "hard.yaml", tmp_path / "soft.yaml", tmp_path / "." / "form.yaml"):
        assert "refusing to overwrite an input file" in _refused(alias, [form])
    rules = tmp_path / "my.yaml"
    rules.write_text("name: mine\nextends: national\n", encoding="utf-8")
    assert "refusing to overwrite the rule file" in _refused(rules, [form], protected=[rules])
    assert form.read_bytes() == SAMPLE.read_bytes()


def test_targets_that_are_not_files_are_refused_in_one_line(tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "form.yaml").write_text("x", encoding="utf-8")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    assert _refused(tmp_path / "folder").endswith("is a directory")
    assert _refused(tmp_path / "nowhere" / "report.json").endswith(f"directory {tmp_path / 'nowhere'} does not exist")
    assert _refused(tmp_path / "form.yaml" / "report.json").endswith("Not a directory")
    assert "symbolic links" in _refused(tmp_path / "loop")
    sock_path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as sock:
        try:
            sock.bind(str(sock_path))
        except OSError:  # a temp path longer than a socket address may be
            return
        assert _refused(sock_path).endswith("is a socket")


@pytest.mark.skipif(not Path("/proc/version").is_file(), reason="needs Linux /proc")
def test_kernel_files_are_never_written(tmp_path):
    (tmp_path / "version").symlink_to("/proc/version")
    assert "/proc or /sys" in _refused(Path("/proc/version"))
    assert "(it leads to /proc/version)" in _refused(tmp_path / "version")
    assert "/proc or /sys" in _refused(Path("/proc/perfscore-report.json"))


@pytest.mark.skipif(IS_ROOT, reason="root writes anywhere")
def test_a_read_only_directory_or_file_is_refused_before_anything_is_read(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "report.json").write_text("old", encoding="utf-8")
    (tmp_path / "kept.json").write_text("old", encoding="utf-8")
    (tmp_path / "kept.json").chmod(0o444)
    locked.chmod(0o555)
    try:
        assert _refused(locked / "new.json").endswith("is not writable")
        assert _refused(locked / "report.json").endswith("is not writable")
        assert _refused(tmp_path / "kept.json").endswith("the file is read-only")
    finally:
        locked.chmod(0o755)


def test_a_directory_that_refuses_the_temp_file_is_one_line(tmp_path, monkeypatch):
    """What a read-only directory or file system does at write time, whoever runs the test."""
    import tempfile

    def refuse(*_, **__):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(OutputError, match=r"^cannot write .*report\.json: Permission denied$"):
        with Output(tmp_path / "report.json").text():
            pass


# --- FIFOs and descriptors: written, never replaced ------------------------------------------------------


def _perfscore(*args: object, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "perfscore", *map(str, args)], stderr=subprocess.PIPE,
                            **kwargs)


def _read_fifo(fd: int, proc: subprocess.Popen, timeout: float = 60) -> bytes:
    """Everything written into the FIFO whose read end is `fd` (non-blocking) until `proc` ends."""
    chunks, deadline = [], time.monotonic() + timeout
    while True:
        ready, _, _ = select.select([fd], [], [], 0.1)
        data = b""
        if ready:
            try:
                data = os.read(fd, 1 << 16)
            except BlockingIOError:
                pass
        if data:
            chunks.append(data)
            continue
        if proc.poll() is not None:
            return b"".join(chunks)
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the command did not finish writing into the FIFO")
        time.sleep(0.01)  # no writer yet: a FIFO without one reads as end of file


COMMANDS = {
    "json": (["score", SAMPLE, "-f", "json", "--jobs", "1", "--fail-on", "never"],
             lambda data: json.loads(data)["summary"]["forms"] == 1),
    "xlsx": (["score", SAMPLE, "-f", "xlsx", "--jobs", "1", "--fail-on", "never"],
             lambda data: data.startswith(b"PK\x03\x04")),
    "export": (["export", SAMPLE, "--to", "yaml"], lambda data: "巡察经费" in data.decode("utf-8")),
}


@pytest.mark.parametrize("via_link", [False, True], ids=["fifo", "symlink-to-fifo"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_fifo_is_written_into_and_stays_a_fifo(tmp_path, command, via_link):
    args, looks_right = COMMANDS[command]
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    target = fifo
    if via_link:
        target = tmp_path / "out"
        target.symlink_to(fifo)
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # the reader is there before the writer starts
    try:
        proc = _perfscore(*args, "-o", target, stdout=subprocess.DEVNULL)
        data = _read_fifo(fd, proc)
        stderr = proc.stderr.read().decode("utf-8", "replace")
    finally:
        os.close(fd)
    assert proc.returncode == 0, stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced"
    assert target.is_symlink() == via_link
    assert looks_right(data)
    assert listing(tmp_path) == sorted(["pipe", *(["out"] if via_link else [])])


@pytest.mark.skipif(not HAS_PROC_FD, reason="needs /proc/self/fd")
def test_a_descriptor_path_appends_to_what_stdout_is_and_is_never_replaced(tmp_path):
    """`-o /dev/stdout >> log`: the report goes after what the log held, through the shell's descriptor."""
    log = tmp_path / "log.txt"
    log.write_bytes(b"earlier run\n")
    inode = log.stat().st_ino
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    with open(log, "ab") as fh:
        proc = _perfscore("score", SAMPLE, "-f", "json", "--jobs", "1", "--fail-on", "never", "-o", link, stdout=fh)
        _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1"
    data = log.read_bytes()
    assert log.stat().st_ino == inode and data.startswith(b"earlier run\n")
    assert json.loads(data[len(b"earlier run\n"):])["summary"]["forms"] == 1
    assert listing(tmp_path) == ["log.txt", "stdout"]


@pytest.mark.skipif(not HAS_PROC_FD, reason="needs /proc/self/fd")
def test_a_descriptor_that_is_a_pipe_is_written_directly(tmp_path):
    proc = _perfscore("score", SAMPLE, "-f", "json", "--jobs", "1", "--fail-on", "never", "-o", "/proc/self/fd/1",
                      stdout=subprocess.PIPE)
    out, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert json.loads(out)["summary"]["forms"] == 1
