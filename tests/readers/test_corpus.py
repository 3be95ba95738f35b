"""The real-form corpus beside the repo (../shared/corpus): how much of it the readers read right.

A ratchet, not a target: the share measured by the corpus's own ``check.py`` may only go up. The wider set
of published forms that judges the readers is not shared, so nothing here names one corpus file.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
FLOOR_FIELDS = 60.0
FLOOR_FORMS = 13


@pytest.mark.skipif(not (CORPUS / "check.py").exists(), reason="no corpus beside the repo")
def test_corpus_share_does_not_fall():
    exe = shutil.which("perfscore") or str(Path(sys.executable).parent / "perfscore")
    out = subprocess.run([sys.executable, str(CORPUS / "check.py"), "--perfscore", exe], capture_output=True,
                         text=True, timeout=600).stdout
    m = re.search(r"\(([\d.]+) %\); forms found (\d+)/", out)
    assert m, out
    assert float(m.group(1)) >= FLOOR_FIELDS and int(m.group(2)) >= FLOOR_FORMS, out.splitlines()[-1]
