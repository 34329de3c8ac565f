"""The certificate ("Bevis") of a completed onboarding programme, as a PDF.

Drawn with fpdf2 in the bundled DejaVu Sans (quiz/assets, licence beside it), so æ, ø and å come
out right on any machine and nothing is fetched. The person may download their own; HR may
download anyone's, checked again when the PDF is made.

Names in every script people here have: text is shaped by HarfBuzz (fpdf2's ``set_text_shaping``
with ``uharfbuzz``), so Arabic letters join and Arabic and Hebrew run right to left, and the
characters DejaVu Sans lacks come from bundled fallback fonts (:data:`FALLBACKS`: Noto Naskh Arabic,
Noto Sans Hebrew, a cut of Droid Sans Fallback for Chinese and Japanese, of NanumGothic for Korean, a cut of Symbola
for emoji; ``quiz_devtools/fonts.py`` makes the cuts, licences in quiz/assets). A name with a
character none of them has is refused when it is entered (``quiz.people.passwords``), never
dropped here. A long name is set smaller until it fits the frame in at most two lines.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import sqlite_utils
from fpdf import FPDF

from quiz.content.models import Pack
from quiz.hr.programme import LOCAL, default_programme, get_programme, local_day, statuses
from quiz.i18n import QuizError, t
from quiz.people.access import actor_user_id, require_admin
from quiz.people.accounts import ActorLike
from quiz.people.passwords import NAME_FONTS, printable

log = logging.getLogger(__name__)

ASSETS = Path(__file__).resolve().parents[1] / "assets"
FONT = "DejaVu"
ACCENT = (31, 95, 139)
# Family name -> file, tried in this order for a character DejaVu Sans lacks: the fonts after DejaVu
# Sans Bold in the list a person's name is checked against when it is entered.
FALLBACKS = {Path(file).stem: file for file in NAME_FONTS[1:]}
NAME_SIZE, NAME_SMALLEST, NAME_LINES = 30.0, 12.0, 2


def _date(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def _name_size(pdf: FPDF, name: str, width: float) -> float:
    """The largest size up to NAME_SIZE at which ``name`` takes at most NAME_LINES lines of the frame."""
    size = NAME_SIZE
    while size > NAME_SMALLEST:
        pdf.set_font(FONT, "B", size)
        lines = pdf.multi_cell(width, size * 0.5, name, align="C", dry_run=True, output="LINES")
        assert isinstance(lines, list)  # output="LINES" gives the lines alone
        if len(lines) <= NAME_LINES:
            break
        size -= 2
    return size


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
    for family, file in FALLBACKS.items():
        pdf.add_font(family, "", str(ASSETS / file))
    # Regular fallbacks also serve bold text (the name): a heavier DejaVu beside them is fine.
    pdf.set_fallback_fonts(list(FALLBACKS), exact_match=False)
    pdf.set_text_shaping(True)
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
    line(name, _name_size(pdf, name, width), bold=True, gap=6)
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
    missing = sorted({ch for ch in person.display_name if not ch.isspace() and ord(ch) not in printable()})
    if missing:  # a name stored before names were checked for this: said in the log, not dropped unseen
        log.warning("The certificate of %s lacks %s: no bundled font has them", person.username, missing)
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
