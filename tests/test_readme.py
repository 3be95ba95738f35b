"""The README's Python examples run as written, from the repository root."""

from __future__ import annotations

import contextlib
import io
import os
import re

from tests.conftest import REPO

BLOCKS = re.findall(r"```python\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), re.S)


def test_readme_has_library_examples():
    assert len(BLOCKS) >= 2


def test_readme_examples_run_and_print_what_they_say():
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        for block in BLOCKS:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(block, "README.md", "exec"), {"__name__": "readme"})  # noqa: S102 - our own docs
            for expected in re.findall(r"^# (.+)$", block, re.M):
                if not expected.startswith(("or ", "order")) and "\\t" not in expected:
                    assert expected.strip() in out.getvalue(), (expected, out.getvalue())
    finally:
        os.chdir(cwd)
