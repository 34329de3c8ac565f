"""HR on the command line: units, a people import from Excel's CSV (dry run first), remind, certificate."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from quiz.cli import main as cli
from tests.smtp_sink import SmtpServer

PEOPLE = (
    "Navn;E-mail;Brugernavn;Rolle;Enhed;Startdato\r\n"
    "Søren Ærø;soren@hvidovre.dk;soren;Medarbejder;Hjemmeplejen Nord;01-09-2020\r\n"
    "Åse Øst;aase@hvidovre.dk;aase;Leder af medarbejdere;Center for Sundhed;01-09-2020\r\n"
)


@pytest.fixture
def run_cli(monkeypatch, capsys):
    """``python -m quiz ARGS`` in this process (a subprocess per command costs seconds on a busy machine)."""

    def run(*args, env=None):
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=out, stderr=err)

    return run


@pytest.fixture
def env(tmp_path, run_cli, monkeypatch):
    env = {"QUIZ_DB": str(tmp_path / "progress.db"), "QUIZ_SMTP_HOST": ""}
    monkeypatch.delenv("QUIZ_SMTP_PORT", raising=False)
    assert run_cli("users", "add", "hr", "--admin", "--password", "hemmelig123", env=env).returncode == 0
    units = tmp_path / "enheder.csv"
    units.write_bytes(
        "enhed;overordnet\r\nHjemmeplejen Nord;Center for Sundhed\r\nCenter for Sundhed;\r\n".encode("cp1252")
    )
    made = run_cli("units", "import", str(units), env=env)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "2 nye enheder oprettet (2 rækker læst)."
    return env


def test_hr_imports_people_after_a_dry_run_and_a_reimport_changes_nothing(env, tmp_path, run_cli):
    file = tmp_path / "personer.csv"
    file.write_bytes(PEOPLE.encode("cp1252"))
    dry = run_cli("people", "import", str(file), "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        "+ opret soren (Søren Ærø)",
        "+ opret aase (Åse Øst)",
        "2 oprettes, 0 ændres, 0 er uændrede.",
        "Prøvekørsel: intet er ændret. Kør uden --dry-run for at importere.",
    ]
    done = run_cli("people", "import", str(file), env=env)
    assert done.stdout.splitlines()[-1] == "Importeret: 2 oprettet, 0 ændret, 0 uændret."
    again = run_cli("people", "import", str(file), env=env)
    assert again.stdout.strip() == "Importeret: 0 oprettet, 0 ændret, 2 uændret."


def test_a_bad_file_is_refused_with_located_danish_errors_and_exit_1(env, tmp_path, run_cli):
    file = tmp_path / "personer.csv"
    file.write_text(PEOPLE.replace("01-09-2020\r\nÅse", "1. sept\r\nÅse"), encoding="utf-8-sig")
    result = run_cli("people", "import", str(file), env=env)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Række 2, kolonne »Startdato«: »1. sept« er ikke en dato. Skriv fx 01-09-2026.",
        "Filen har 1 fejl. Intet er importeret; ret fejlene, og prøv igen.",
    ]
    assert "Traceback" not in result.stderr


def test_remind_sends_invitations_and_overdue_mails_to_the_local_smtp_server(env, tmp_path, run_cli):
    file = tmp_path / "personer.csv"
    file.write_bytes(PEOPLE.encode("cp1252"))
    run_cli("people", "import", str(file), env=env)
    dry = run_cli("remind", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert "invitation: Søren Ærø <soren@hvidovre.dk>" in dry.stdout
    assert dry.stdout.splitlines()[-1] == "Prøvekørsel: 2 mails ville blive sendt. Intet er sendt."
    nowhere = run_cli("remind", env=env)
    assert nowhere.returncode == 1 and nowhere.stderr.startswith("Der er ingen mailserver")
    server = SmtpServer().start()
    try:
        smtp = {"QUIZ_SMTP_HOST": "127.0.0.1", "QUIZ_SMTP_PORT": str(server.port), "QUIZ_SMTP_STARTTLS": "false"}
        sent = run_cli("remind", env={**env, **smtp})
        assert sent.returncode == 0, sent.stderr
        assert sent.stdout.strip() == "2 mails sendt, 0 afvist, 0 venter til næste kørsel."
        assert sorted(m["To"] for m in server.sink.messages) == [
            "Søren Ærø <soren@hvidovre.dk>",
            "Åse Øst <aase@hvidovre.dk>",
        ]
        again = run_cli("remind", env={**env, **smtp})
        assert again.stdout.strip() == "0 mails sendt, 0 afvist, 0 venter til næste kørsel."
    finally:
        server.stop()
    cert = run_cli("certificate", "soren", "--out", str(tmp_path / "bevis.pdf"), env=env)
    assert cert.returncode == 1 and cert.stderr.startswith("Introforløbet er ikke gennemført endnu")


def test_hr_places_a_person_and_sets_leaders_from_the_command_line(env, tmp_path, run_cli):
    file = tmp_path / "personer.csv"
    file.write_bytes(PEOPLE.encode("cp1252"))
    assert run_cli("people", "import", str(file), env=env).returncode == 0
    placed = run_cli("people", "set", "aase", "--unit", "Hjemmeplejen Nord", "--leads", "Center for Sundhed", env=env)
    assert placed.returncode == 0, placed.stderr
    assert placed.stdout.strip() == "aase: enhed Center for Sundhed › Hjemmeplejen Nord; leder af Center for Sundhed."
    unknown = run_cli("people", "set", "aase", "--leads", "Center for Kultur", env=env)
    assert unknown.returncode != 0 and "Enheden »Center for Kultur« findes ikke" in unknown.stderr
    cleared = run_cli("people", "set", "aase", "--leads", env=env)
    assert cleared.stdout.strip() == "aase: enhed Center for Sundhed › Hjemmeplejen Nord; leder af ingen enheder."


def test_hr_imports_into_new_units_with_a_go_live_day_and_remind_lists_one_mail_each_in_danish_order(
    env, tmp_path, run_cli
):
    file = tmp_path / "personer.csv"
    file.write_bytes(
        (PEOPLE + "Aase Aagaard;aagaard@hvidovre.dk;aagaard;Medarbejder;Tandplejen;01-09-2010\r\n").encode("cp1252")
    )
    refused = run_cli("people", "import", str(file), "--dry-run", env=env)
    assert refused.returncode == 1
    assert "Filen nævner 1 enheder, der ikke findes: Tandplejen." in refused.stderr
    dry = run_cli("people", "import", str(file), "--dry-run", "--new-units-under", "Center for Sundhed", env=env)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[0] == "+ ny enhed Tandplejen under Center for Sundhed"
    done = run_cli(
        "people", "import", str(file), "--new-units-under", "Center for Sundhed", "--go-live", "25-09-2026", env=env
    )
    assert done.returncode == 0, done.stderr
    listed = run_cli("remind", "--dry-run", env=env)
    assert listed.stdout.splitlines() == [
        "invitation: Søren Ærø <soren@hvidovre.dk>",
        "invitation: Åse Øst <aase@hvidovre.dk>",
        "invitation: Aase Aagaard <aagaard@hvidovre.dk>",
        "Prøvekørsel: 3 mails ville blive sendt. Intet er sendt.",
    ], "one mail each, in Danish order"
    bad = run_cli("people", "import", str(file), "--go-live", "31-02-2026", env=env)
    assert bad.returncode != 0 and "Ugyldig dato »31-02-2026«" in bad.stderr
