"""`python -m quiz validate` and `python -m quiz export statements`, run as a user would."""

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.test_content import BUNDLED

REPO = Path(__file__).resolve().parents[1]


def run_cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "quiz", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
        env={**os.environ, **(env or {})},
    )


def test_validate_bundled_pack_prints_a_summary_and_exits_0():
    result = run_cli("validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK hvidovrevejen")
    assert "92 udsagn" in result.stdout and "emergens 23" in result.stdout and "alle 12" in result.stdout


def test_validate_broken_pack_exits_1_naming_file_and_place_without_traceback(tmp_path):
    folder = tmp_path / "broken"
    shutil.copytree(BUNDLED, folder)
    file = folder / "statements.yaml"
    file.write_text(file.read_text(encoding="utf-8").replace("role: medarbejder", "role: chef", 1), encoding="utf-8")
    result = run_cli("validate", str(folder))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{file}, linje" in result.stderr and ".role: ukendt rolle 'chef'" in result.stderr


def test_validate_reports_every_pack_under_quiz_content(tmp_path):
    shutil.copytree(BUNDLED, tmp_path / "good")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "pack.yaml").write_text("id: bad\n", encoding="utf-8")
    result = run_cli("validate", env={"QUIZ_CONTENT": str(tmp_path)})
    assert result.returncode == 1
    assert "OK hvidovrevejen" in result.stdout
    assert "UGYLDIG" in result.stderr and "statements.yaml: filen mangler" in result.stderr


def test_export_statements_as_json_lists_every_statement_with_its_keys():
    result = run_cli("export", "statements", "--pack", "hvidovrevejen", "--format", "json")
    assert result.returncode == 0
    rows = json.loads(result.stdout)
    assert len(rows) == 92
    assert rows[0] == {
        "id": "alle.performance.1",
        "text": "Vi opstiller klare mål, prioriterer og følger op på, om vi har den rette effekt.",
        "perspective": "performance",
        "role": "alle",
    }


def test_export_statements_as_csv_opens_in_a_spreadsheet_with_danish_letters(tmp_path):
    out = tmp_path / "udsagn.csv"
    result = run_cli("export", "statements", "--pack", "hvidovrevejen", "--format", "csv", "--out", str(out))
    assert result.returncode == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads æøå right
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 92 and list(rows[0]) == ["id", "text", "perspective", "role"]
    assert any("velfærdsydelser" in r["text"] for r in rows)


def test_export_unknown_pack_says_which_packs_exist():
    result = run_cli("export", "statements", "--pack", "nope")
    assert result.returncode == 1
    assert "Ingen indholdspakke med id 'nope'" in result.stderr and "hvidovrevejen" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_reports_two_packs_with_the_same_id(tmp_path):
    shutil.copytree(BUNDLED, tmp_path / "a")
    shutil.copytree(BUNDLED, tmp_path / "b")  # a copy whose id was not changed yet
    result = run_cli("validate", str(tmp_path))
    assert result.returncode == 1
    assert "OK hvidovrevejen" in result.stdout
    assert "id 'hvidovrevejen' bruges også af" in result.stderr and "Traceback" not in result.stderr


def test_export_to_a_folder_that_does_not_exist_says_so_without_traceback(tmp_path):
    out = tmp_path / "findes-ikke" / "udsagn.csv"
    result = run_cli("export", "statements", "--pack", "hvidovrevejen", "--format", "csv", "--out", str(out))
    assert result.returncode == 1
    assert f"Kan ikke skrive til {out}" in result.stderr and "Traceback" not in result.stderr


def test_a_developer_command_outside_a_checkout_says_where_it_lives(tmp_path):
    # The dev tools sit beside the product, not in it: run from another folder, `demo` is not found
    # as a module, and the person is told where to run it instead of argparse's "invalid choice".
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-m", "quiz", "demo", "--users", "3"],
        cwd=tmp_path,
        env={**env, "QUIZ_DB": str(tmp_path / "progress.db"), "QUIZ_LANGUAGE": "da"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "»demo« er et udviklerværktøj" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "progress.db").exists()
