"""The type checker gate (scripts/test.sh runs ``python -m mypy`` before pytest).

A call that does not match its function (HR's »Gem enhed og lederskab« passed ``actor=`` to a
function without it, issue #24) passed 834 tests; the checker, with the project's own settings,
must refuse it, and the product's code must pass it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "pyproject.toml"


def _mypy(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(CONFIG), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_call_with_a_keyword_its_function_does_not_take_fails_the_type_check(tmp_path):
    module = tmp_path / "hr_button.py"
    module.write_text(
        "def set_person_unit(user_id: int, unit_id: int | None, *, now: str | None = None) -> None:\n"
        "    pass\n"
        "\n"
        "\n"
        "def save_person(user_id, unit, actor):  # no annotations: checked all the same (check_untyped_defs)\n"
        "    set_person_unit(user_id, unit, actor=actor)\n",
        encoding="utf-8",
    )
    done = _mypy("--cache-dir", str(tmp_path / "cache"), str(module), cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert 'hr_button.py:6: error: Unexpected keyword argument "actor" for "set_person_unit"  [call-arg]' in done.stdout


@pytest.mark.slow  # a minute without mypy's cache; scripts/test.sh has just filled it
def test_the_product_code_passes_the_type_check():
    done = _mypy(cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Success: no issues found"), done.stdout
