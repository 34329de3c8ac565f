"""A person who completed the programme downloads a PDF "Bevis" with correct Danish letters."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime

import pytest

from quiz.hr import certificate
from quiz.i18n import QuizError
from quiz.store import create_user, get_user_by_name
from tests.onboarding_helpers import complete_programme, organisation


def pdf_text(data: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None and not os.environ.get("CI"):
        pytest.skip("pdftotext (poppler-utils) is not installed; scripts/test.sh installs it")
    path = tmp_path / "bevis.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def hr(db, pack):
    return organisation(db, pack, "Søren Ærø Åsted;soren@hvidovre.dk;soren;Medarbejder;Center for Børn;01-09-2026")


def test_the_certificate_names_the_person_what_they_completed_and_when(db, pack, registry, hr, tmp_path):
    complete_programme(db, registry, "soren", now=datetime(2026, 9, 14, 10, tzinfo=UTC))
    soren = get_user_by_name(db, "soren")
    text = " ".join(pdf_text(certificate.for_person(db, pack, soren.id, actor=soren.id), tmp_path).split())
    assert "Bevis" in text
    assert "Hermed bevidnes, at Søren Ærø Åsted har gennemført introforløbet i Mini:" in text
    assert "Introduktionen gennemført · 14-09-2026" in text
    assert "En quiz i egen rolles udsagn med mindst 80 % rigtige · 14-09-2026" in text
    assert "Gennemført den 14-09-2026" in text
    # HR may download it too
    assert certificate.for_person(db, pack, soren.id, actor=hr.id).startswith(b"%PDF")


def test_no_certificate_before_completion_and_none_of_others_for_a_non_admin(db, pack, registry, hr):
    soren = get_user_by_name(db, "soren")
    with pytest.raises(QuizError) as early:
        certificate.for_person(db, pack, soren.id, actor=soren.id)
    assert str(early.value).startswith("Introforløbet er ikke gennemført endnu (0 af 3 krav)")
    complete_programme(db, registry, "soren")
    lis = create_user(db, "lis", "Lis", "hemmelig123")
    with pytest.raises(QuizError) as refused:
        certificate.for_person(db, pack, soren.id, actor=lis.id)
    assert refused.value.msg.key == "account.actor_not_admin"
