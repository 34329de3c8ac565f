"""The command-line examples in the README and docs/ run as written (and say so when they fail).

Every ``python -m quiz ...`` line in a code block is run, in the order the documents give them,
against one fresh progress.db in a folder of its own. Written paths under /srv and /tmp go to that
folder; ``[optional parts]`` are run with the options in, placeholders in capitals are left out.
Demo data is made for 5 people instead of hundreds, so the examples after it have data and the
test stays quick. Long-running measurements are skipped, each named below.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]

# Examples that take minutes or start servers: measured by hand (docs/performance.md), not in CI.
SKIPPED = {
    "python -m quiz bench": "a benchmark on 500-5,000 demo people (about 1-3 min)",
    "python -m quiz loadtest": "a live quiz with real phones against a real server (30 s to 13 min)",
}
# Examples about a pack of the reader's own (the docs' "min-pakke"): they must fail politely.
ABOUT_ANOTHER_PACK = "min-pakke"


def examples() -> list[tuple[str, int, str]]:
    """(document, line, command) for every CLI example in a code block."""
    found = []
    for doc in DOCS:
        in_block = False
        for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), start=1):
            if line.lstrip().startswith("```"):
                in_block = not in_block
                continue
            command = line.strip().removeprefix("$ ")
            if in_block and re.match(r"^([A-Z_]+=\S+ )*python -m quiz\b", command):
                found.append((doc.relative_to(REPO).as_posix(), number, command))
    return found


def runnable(command: str, folder: Path) -> str:
    """The command as this test runs it: comment off, optional parts in, paths and sizes local."""
    command = command.split("  #")[0].split(" # ")[0].strip()
    command = re.sub(r"\[[A-ZÆØÅ][^\]]*\]", "", command)  # [MAPPE ...]: a placeholder
    command = re.sub(r"\[([^\]]*)\]", r"\1", command)  # [--seed 1]: an option, run with it
    command = re.sub(r"(?<![\w.])/(srv|tmp)/[\w./-]*?(?=[\s$]|\.db)", str(folder) + "/", command)
    command = re.sub(r"(QUIZ_DB=)\S+", r"\1" + str(folder / "progress.db"), command)
    command = re.sub(r"(demo --users )\d+", r"\g<1>5", command)
    return command


def test_the_docs_have_cli_examples():
    commands = [c for _, _, c in examples()]
    assert any(c.startswith("python -m quiz validate") for c in commands)
    assert any("python -m quiz.i18n" in c for c in commands)
    assert len(commands) > 15


def test_every_cli_example_in_the_docs_runs_as_written(tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "QUIZ_DB": str(tmp_path / "progress.db"),
        "QUIZ_LOCALE_DIR": "",
    }
    env.pop("QUIZ_CONTENT", None)
    # The files the onboarding examples read, as HR would save them from Excel (docs/operations.md).
    (tmp_path / "enheder.csv").write_text(
        "enhed;overordnet\nCenter for Sundhed;\nHjemmeplejen Syd;Center for Sundhed\n", encoding="cp1252"
    )
    (tmp_path / "personer.csv").write_text(
        "Navn;E-mail;Brugernavn;Rolle;Enhed;Startdato\n"
        "Åse Ørsted;aase@example.dk;aase;medarbejder;Hjemmeplejen Syd;01-12-2026\n",
        encoding="utf-8-sig",
    )
    ran, skipped, failures = 0, [], []
    for doc, line, command in examples():
        reason = next((why for start, why in SKIPPED.items() if command.startswith(start)), None)
        if reason:
            skipped.append(f"{doc}:{line} {command} ({reason})")
            continue
        shown = runnable(command, tmp_path)
        result = subprocess.run(
            ["bash", "-c", shown.replace("python ", f"{sys.executable} ", 1)],
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            timeout=300,
        )
        ran += 1
        expected = (1,) if ABOUT_ANOTHER_PACK in command else (0,)
        if result.returncode not in expected or "Traceback" in result.stderr:
            failures.append(f"{doc}:{line} `{shown}` -> exit {result.returncode}\n{result.stderr[-800:]}")
        elif ABOUT_ANOTHER_PACK in command:
            assert ABOUT_ANOTHER_PACK in result.stderr, result.stderr  # it names what it did not find
    print(f"\n  {ran} examples ran; skipped: " + "; ".join(skipped))
    assert not failures, "\n\n".join(failures)
    assert skipped, "the long-running examples are skipped on purpose, by name"
