"""Signals held back for a moment, where an interrupt would be lost or leave a file nobody removes.

Python runs a signal's handler in the main thread between two bytecodes, and a pending signal is
handled as soon as a system call returns. So Ctrl-C (KeyboardInterrupt) or SIGTERM/SIGHUP (raised as
`run.Terminated`) lands right after an `open` or a `close` more often than anywhere else: after a temp
file is made and before it is recorded for removal, or inside the callbacks of a fork, where Python
reports the exception as "Exception ignored" and goes on. Held over such a step, the signal arrives
right after it instead.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

HELD = frozenset(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP back in this thread while the block runs (where the platform can)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def release() -> None:
    """Let the held signals through: a process forked while they were held inherits them held."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, HELD)
