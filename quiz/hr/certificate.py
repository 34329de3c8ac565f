"""The certificate ("Bevis") of a completed onboarding programme, as a PDF.

Drawn with fpdf2 in the bundled DejaVu Sans (quiz/assets, licence beside it), so æ, ø and å come
out right on any machine and nothing is fetched. The person may download their own; HR may
download anyone's, checked again when the PDF is made.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlite_utils
from fpdf import FPDF

from quiz.content.models import Pack
from quiz.hr.programme import LOCAL, default_programme, get_programme, local_day, statuses
from quiz.i18n import QuizError, t
from quiz.people.access import actor_user_id, require_admin
from quiz.people.accounts import ActorLike

ASSETS = Path(__file__).resolve().parents[1] / "assets"
FONT = "DejaVu"
ACCENT = (31, 95, 139)


def _date(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def render(
    *,
    name: str,
    organisation: str,
    title: str,
    completed: list[tuple[str, date]],
    completed_on: date,
    lang: str | None = None,
) -> bytes:
    """The certificate as PDF bytes: who, what was completed (with dates), when, and for whom."""
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(t("cert.title", lang=lang))
    pdf.set_author(organisation)
    pdf.add_font(FONT, "", str(ASSETS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(ASSETS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(12, 12, pdf.w - 24, pdf.h - 24)
    width = pdf.w - 60

    def line(text: str, size: float, *, bold: bool = False, gap: float = 4, color=(0, 0, 0)) -> None:
        pdf.set_font(FONT, "B" if bold else "", size)
        pdf.set_text_color(*color)
        pdf.set_x(30)
        pdf.multi_cell(width, size * 0.5, text, align="C")
        pdf.ln(gap)

    pdf.set_y(30)
    line(organisation, 16, color=ACCENT, gap=8)
    line(t("cert.title", lang=lang), 44, bold=True, color=ACCENT, gap=10)
    line(t("cert.lead", lang=lang), 14, gap=4)
    line(name, 30, bold=True, gap=6)
    line(t("cert.completed", lang=lang, title=title), 14, gap=8)
    for what, when in completed:
        line(f"{what} · {_date(when)}", 12, gap=1)
    pdf.set_y(pdf.h - 45)
    line(t("cert.date", lang=lang, date=_date(completed_on)), 12, gap=2)
    line(f"{organisation} · HR", 10, color=(90, 90, 90))
    return bytes(pdf.output())


def for_person(
    db: sqlite_utils.Database, pack: Pack, user_id: int, *, actor: ActorLike, lang: str | None = None
) -> bytes:
    """The person's certificate; refused when the programme is not completed, or the actor is not them or HR."""
    if actor_user_id(actor) != user_id:
        require_admin(db, actor)
    programme = get_programme(db, pack.id) or default_programme(pack.id)
    rows = statuses(db, pack, programme, today=date.today(), user_ids=[user_id])
    if not rows:
        raise QuizError("cert.unknown")
    person = rows[0]
    if person.completed_at is None:
        raise QuizError("cert.not_completed", done=person.done, total=len(person.met))
    by_kind = {r.kind: r for r in programme.requirements}
    # (completed: every requirement has its time)
    completed = [(str(by_kind[kind].describe()), local_day(when)) for kind, when in person.met if when is not None]
    return render(
        name=person.display_name,
        organisation=pack.manifest.organisation or pack.manifest.title,
        title=pack.manifest.title,
        completed=completed,
        completed_on=person.completed_at.astimezone(LOCAL).date(),
        lang=lang,
    )


def completed(db: sqlite_utils.Database, pack: Pack, user_id: int) -> bool:
    """Whether the person has a certificate to download."""
    programme = get_programme(db, pack.id) or default_programme(pack.id)
    rows = statuses(db, pack, programme, today=date.today(), user_ids=[user_id])
    return bool(rows and rows[0].completed_at is not None)
