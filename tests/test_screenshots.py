"""scripts/screenshots.py: the reports as pictures, made the way anyone can make them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "screenshots.py"


def _script():
    spec = importlib.util.spec_from_file_location("screenshots", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_screenshots_of_the_reports(tmp_path, capsys):
    script = _script()
    assert script.main(["--out", str(tmp_path)]) == 0
    assert (tmp_path / "report.html").stat().st_size > 10_000 and (tmp_path / "report.xlsx").stat().st_size > 10_000
    said = capsys.readouterr().out
    import shutil

    if shutil.which("soffice") or shutil.which("libreoffice"):
        assert (tmp_path / "report.pdf").stat().st_size > 10_000  # the workbook as it prints
    else:
        assert "no LibreOffice" in said
    if script.chromium() is None:
        assert "no Chromium" in said
        pytest.skip("chromium not installed: only the reports were written")
    for name in ("desktop", "mobile"):
        assert (tmp_path / f"report-{name}.png").stat().st_size > 10_000
