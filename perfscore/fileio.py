"""Output files: written atomically where a file should be (a temp file beside the target, then a
rename), directly where replacing would destroy something (a device, a FIFO, stdout); never onto an
input or the rule file. And the spool that worker processes and the parent pass their chunks of bytes through."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, NamedTuple

from perfscore.errors import PerfscoreError


class OutputError(PerfscoreError):
    """An output that cannot or must not be written: one line, `cannot write OUT: reason`."""

    def __init__(self, file: str | Path, reason: str):
        self.file, self.reason = str(file), reason
        super().__init__(f"cannot write {file}: {reason}")


def _same(a: Path, b: Path) -> bool:
    """Same file: by device and inode when both exist (hard links, symlinks), else by resolved path."""
    with contextlib.suppress(OSError):
        return os.path.samefile(a, b)
    return os.path.realpath(a) == os.path.realpath(b)


def check_not_input(out: Path, inputs: Iterable[str | Path], protected: Iterable[str | Path] = ()) -> None:
    """Refuse an output that is an input file, an existing form file inside an input directory, or one
    of the `protected` files (the rule file)."""
    from perfscore.readers import supported

    out = Path(out)
    target = Path(os.path.realpath(out))  # not Path.resolve(): it raises on a symlink loop
    for item in inputs:
        if str(item) == "-" or not Path(item).exists():
            continue
        source = Path(item)
        inside = source.is_dir() and target.is_relative_to(os.path.realpath(source))
        if _same(source, out) or (inside and target.exists() and supported(target)):
            raise PerfscoreError(f"{out}: refusing to overwrite an input file")
    for item in protected:
        if Path(item).exists() and _same(Path(item), out):
            raise PerfscoreError(f"{out}: refusing to overwrite the rule file {item}")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# where a path leads to a file descriptor (`/dev/stdout`, `/proc/self/fd/1`): written, never replaced
_FD_LINK = re.compile(r"^/(?:dev/(?:stdout|stderr|fd/\d+)|proc/(?:self|thread-self|\d+)/fd/\d+)$")
_KERNEL = ("/proc/", "/sys/")  # their files are the kernel's settings, never a report


def _link_chain(path: Path) -> list[str]:
    """The absolute paths a symlink chain passes through (at most 40 hops, as the kernel allows)."""
    chain = [os.path.abspath(path)]
    for _ in range(40):
        try:
            link = os.readlink(chain[-1])
        except OSError:
            break
        chain.append(os.path.normpath(os.path.join(os.path.dirname(chain[-1]), link)))
    return chain


class Output:
    """Where `-o` points, checked before anything is read, and written the one way that suits it.

    A regular file (or a new one) is written to a temp file in its own directory and renamed over it
    once the report is complete, so a reader never sees half a report and a failure leaves the old one;
    a symlink to a regular file is followed (its target replaced, the link kept). A character device,
    a FIFO or a descriptor path (`/dev/stdout`, `/proc/self/fd/N`) cannot be replaced without destroying
    what it is: it is opened and written directly. Anything else is refused with one line."""

    def __init__(self, path: str | Path, inputs: Iterable[str | Path] = (), protected: Iterable[str | Path] = ()):
        self.given = Path(path)
        self.kept = True
        try:
            check_not_input(self.given, inputs, protected)
        except PerfscoreError as exc:
            raise OutputError(path, str(exc).removeprefix(f"{path}: ")) from None
        self.direct, self.real, self.mode = self._inspect()

    def _inspect(self) -> tuple[bool, Path, int | None]:
        out = self.given
        try:
            st = os.stat(out)
        except FileNotFoundError:
            st = None
        except OSError as exc:
            raise OutputError(out, exc.strerror or str(exc)) from None
        if st is not None and not stat.S_ISREG(st.st_mode):
            if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
                return True, out, None
            kind = ("a directory" if stat.S_ISDIR(st.st_mode) else "a block device" if stat.S_ISBLK(st.st_mode)
                    else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
            raise OutputError(out, f"is {kind}")
        if st is not None and any(_FD_LINK.match(p) for p in _link_chain(out)):
            return True, out, None  # stdout redirected to a file: append as the shell's `>`/`>>` said
        real = Path(os.path.realpath(out))
        if str(real).startswith(_KERNEL):
            leads = f" (it leads to {real})" if str(real) != os.path.abspath(out) else ""
            raise OutputError(out, f"a /proc or /sys path is the kernel's, not a place for a report{leads}")
        if st is None:
            if not real.parent.is_dir():
                raise OutputError(out, f"directory {real.parent} does not exist")
            if not os.access(real.parent, os.W_OK | os.X_OK):
                raise OutputError(out, f"directory {real.parent} is not writable")
            return False, real, None
        if not os.access(real, os.W_OK):
            raise OutputError(out, "the file is read-only")
        if not os.access(real.parent, os.W_OK | os.X_OK):
            raise OutputError(out, f"directory {real.parent} is not writable")
        return False, real, stat.S_IMODE(st.st_mode)

    def discard(self) -> None:
        """Keep what is at the path: the report is not to be written (a run that read nothing)."""
        self.kept = False

    def _error(self, exc: OSError) -> OutputError:
        return OutputError(self.given, exc.strerror or str(exc))

    def _mine(self, exc: OSError, tmp: Path | None) -> bool:
        """An OSError about the output (no file named, or ours), not one about an input that a reader let through."""
        names = {None, str(self.given), str(self.real), *([str(tmp)] if tmp else [])}
        return exc.filename in names

    @contextlib.contextmanager
    def text(self) -> Iterator[IO[str]]:
        """A UTF-8 text stream to the output."""
        if self.direct:
            try:
                fh = open(os.open(self.given, os.O_WRONLY | os.O_APPEND), "w", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed by the `with fh` below, apart from its own OSError
            except OSError as exc:
                raise self._error(exc) from None
            try:
                with fh:
                    yield fh
            except OSError as exc:
                if self._mine(exc, None):
                    raise self._error(exc) from None
                raise
            return
        with self.path() as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            yield fh

    @contextlib.contextmanager
    def path(self) -> Iterator[Path]:
        """A temp path for a writer that wants a file name; on success its content becomes the output."""
        directory = None if self.direct else self.real.parent
        try:
            fd, name = tempfile.mkstemp(prefix=f".{self.real.name}." if directory else "perfscore-out-",
                                        suffix=".tmp", dir=directory)
        except OSError as exc:
            raise self._error(exc) from None
        os.close(fd)
        tmp = Path(name)
        try:
            yield tmp
            if self.kept:
                self._commit(tmp)
        except OSError as exc:
            if self._mine(exc, tmp):
                raise self._error(exc) from None
            raise
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()

    def _commit(self, tmp: Path) -> None:
        if self.direct:
            with open(tmp, "rb") as src, open(os.open(self.given, os.O_WRONLY | os.O_APPEND), "wb") as dst:
                shutil.copyfileobj(src, dst)
            return
        os.chmod(tmp, self.mode if self.mode is not None else 0o666 & ~_umask())  # not mkstemp's 0600
        with open(tmp, "rb+") as fh:  # on disk before the rename, so a crash leaves the old file or the new
            os.fsync(fh.fileno())
        os.replace(tmp, self.real)
        with contextlib.suppress(OSError):
            dir_fd = os.open(self.real.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


class Spooled(NamedTuple):
    """Bytes handed to another process as a file in a spool directory (see `spool`)."""

    path: str


def spool(data: bytes, directory: str | None) -> bytes | Spooled:
    """`data` written to a new file in `directory`, for a worker process or the parent to read back
    once with `unspool`; the bytes themselves when there is no directory or the file cannot be written.

    Sent through a pipe, a chunk of a MB is pickled, pushed 64 KB at a time with the sender waiting for
    the receiver, and copied twice more as it is unpickled; a file costs a write and a read. With the
    chunks of JSON Lines and the JSON passed both ways through files, `--jobs 2` ran ~8 % faster."""
    if directory is None:
        return data
    try:
        fd, path = tempfile.mkstemp(dir=directory)
    except OSError:
        return data
    try:
        with open(fd, "wb") as fh:
            fh.write(data)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(path)
        return data
    return Spooled(path)


def unspool(data: bytes | Spooled) -> bytes:
    """The bytes `spool` was given; a spooled file is read once and removed."""
    if not isinstance(data, Spooled):
        return data
    try:
        with open(data.path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise PerfscoreError(f"cannot read back what a worker process wrote: {exc}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(data.path)


@contextlib.contextmanager
def spool_directory() -> Iterator[str]:
    """A private temporary directory for `spool`, removed at the end with anything left in it (the
    chunks of tasks cancelled by Ctrl-C)."""
    path = tempfile.mkdtemp(prefix="perfscore-spool-")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
