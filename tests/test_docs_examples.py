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
            # A command on its own line, after a prompt, or after a crontab schedule and ``cd ... &&``.
            command = re.search(r"(?:^(?:\$ )?|&& )((?:[A-Z_]+=\S+ )*python -m quiz\b.*)$", line.strip())
            if in_block and command:
                found.append((doc.relative_to(REPO).as_posix(), number, command.group(1)))
    return found


def mentions() -> list[tuple[str, int, str]]:
    """(document, line, command) for every ``python -m quiz ...`` named in running text."""
    found = []
    for doc in DOCS:
        for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), start=1):
            for command in re.findall(r"`(python -m quiz [^`]+)`", line):
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


def test_every_command_the_docs_name_in_running_text_exists_with_its_options():
    from quiz.cli.main import build_parser

    parser = build_parser()
    wrong = []
    for doc, line, command in mentions():
        args = [a for a in command.removeprefix("python -m quiz ").split() if a not in ("PATH", "MAPPE", "...")]
        args = ["someone" if a.isupper() else a for a in args]  # BRUGERNAVN: a placeholder for a value
        try:
            parser.parse_args(args)
        except SystemExit:
            wrong.append(f"{doc}:{line} {command}")
    assert not wrong, wrong


def test_every_cli_example_of_every_doc_is_found():
    # Each document that shows a command in a code block is covered, the crontab line included.
    docs = {doc for doc, _, _ in examples()}
    assert {"README.md", "docs/operations.md", "docs/content-packs.md", "docs/i18n.md"} <= docs
    assert any(c.endswith("python -m quiz remind") and c.startswith("QUIZ_DB=") for _, _, c in examples())


def test_the_docs_have_cli_examples():
    commands = [c for _, _, c in examples()]
    assert any(c.startswith("python -m quiz validate") for c in commands)
    assert any("python -m quiz.i18n" in c for c in commands)
    assert len(commands) > 15


def test_every_cli_example_in_the_docs_runs_as_written(tmp_path):
    from tests.smtp_sink import SmtpServer

    # The reminder example (a crontab line) sends mail: to a sink on loopback, as a configured server would.
    mail = SmtpServer().start()
    try:
        _run_every_example(tmp_path, mail)
    finally:
        mail.stop()


def _run_every_example(tmp_path, mail):
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "QUIZ_DB": str(tmp_path / "progress.db"),
        "QUIZ_LOCALE_DIR": "",
        "QUIZ_SMTP_HOST": "127.0.0.1",
        "QUIZ_SMTP_PORT": str(mail.port),
        "QUIZ_SMTP_STARTTLS": "false",
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
