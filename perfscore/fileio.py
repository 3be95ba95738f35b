"""Atomic output: write to a temp file beside the target, then rename; never touch an input file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from perfscore.errors import PerfscoreError


def check_not_input(out: Path, inputs: Iterable[str | Path]) -> None:
    """Refuse an output that is an input file, or an existing form file inside an input directory."""
    from perfscore.readers import supported

    target = out.resolve()
    for item in inputs:
        if str(item) == "-" or not Path(item).exists():
            continue
        source = Path(item).resolve()
        if source == target or (source.is_dir() and target.is_relative_to(source) and target.exists()
                                and supported(target)):
            raise PerfscoreError(f"{out}: refusing to overwrite an input file")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temp path in the target's directory; on success it replaces `path`, on error it is removed."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise PerfscoreError(f"{path}: directory {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, 0o666 & ~_umask())  # a report is for passing on: the usual permissions, not mkstemp's 0600
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


@contextlib.contextmanager
def atomic_text(path: str | Path) -> Iterator[IO[str]]:
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="\n") as fh:
        yield fh
