"""The lean pages' HTML: one rendering per room, state and language, shared by every screen that shows it.

Jinja2 templates (``templates/``) with autoescaping: everything a person typed is escaped. The
phone's shared part (:func:`phone_view`) holds no personal data; the form fields that need the
phone's own CSRF token carry the placeholder :data:`CSRF_MARK`, filled in by the page and by the
bundled script. What is the phone's own (its answer, its place) is :func:`phone_me`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import qrcode
import sqlite_utils
from markupsafe import escape

from quiz import i18n, live, settings
from quiz.questions.base import Question
from quiz.store import database_file

TEMPLATES = Path(__file__).resolve().parent / "templates"
ASSETS = Path(__file__).resolve().parents[1] / "assets"
CSRF_MARK = "__CSRF__"
PODIUM = 3
TOP_LIST = 10
NAMES_SHOWN = 60


def _versioned(name: str) -> str:
    digest = hashlib.sha256((ASSETS / name).read_bytes()).hexdigest()[:12]
    return f"/hv-assets/{name}?v={digest}"


JS_URL = _versioned("live.js")
CSS_URL = _versioned("live.css")

ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES)),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


def render(template: str, lang: str, **context: Any) -> str:
    """``template`` in ``lang``: ``t()`` in the template looks up the catalogue in that language."""

    def t(key: str, **params: Any) -> str:
        return i18n.t(key, lang=lang, **params)

    return ENV.get_template(template).render(t=t, lang=lang, **context)


def letter(index: int) -> str:
    """A, B, C … for the options, as the stage shows them."""
    return chr(ord("A") + index) if index < 26 else str(index + 1)


@dataclass(frozen=True)
class Shown:
    """An option as a screen shows it."""

    key: str
    letter: str
    label: str
    right: bool = False
    count: int = 0
    share: int = 0


def _options(question: Question, counts: dict[str, int] | None = None) -> list[Shown]:
    right = set(question.accepted[0]) if question.kind == "choice" and question.accepted else set()
    counts = counts or {}
    most = max(counts.values(), default=0) or 1
    return [
        Shown(o.key, letter(i), o.label, o.key in right, counts.get(o.key, 0), round(100 * counts.get(o.key, 0) / most))
        for i, o in enumerate(question.options)
    ]


def _podium(db: sqlite_utils.Database, session: live.LiveSession, limit: int) -> list[dict[str, Any]]:
    results = live.participant_results(db, session.id)
    if not session.points_enabled and not any(r.answered for r in results):
        return []
    return [
        {"place": live.place_of(results, r.participant_id), "name": r.display_name, "points": r.points}
        for r in results[:limit]
    ]


def _base(session: live.LiveSession) -> dict[str, Any]:
    deadline = session.deadline()
    return {
        "state": session.state.value,
        "index": session.current_index,
        "total": len(session.questions),
        "code": session.code,
        "deadline": int(deadline.timestamp() * 1000) if deadline else None,
        "discussing": session.discussing,
        "discussion": session.discussions.get(session.current_index, "") if session.discussing else "",
        "text_max": live.TEXT_MAX,
        "kind": "open",
    }


def phone_view(db: sqlite_utils.Database, session: live.LiveSession, lang: str) -> str:
    """What every phone in ``lang`` shows of the room now (no personal data)."""
    context = _base(session)
    context.update(q=None, options=[], podium=[], note="", pairs=[])
    if session.state in (live.State.QUESTION, *live.SHOWN_ANSWER):
        question = live.shown_question(session, lang=lang)
        context["q"] = question
        context["options"] = _options(question)
        if session.state != live.State.QUESTION and question.kind == "assign":
            # Each statement with its right place, lettered as the places were while answering.
            lettered = {o.key: o for o in context["options"]}
            context["pairs"] = [
                {"number": i + 1, "text": item.text, "right": lettered.get(question.accepted[i][0])}
                for i, item in enumerate(question.items)
                if i < len(question.accepted) and question.accepted[i]
            ]
    elif session.state == live.State.ENDED:
        note = live.ending_note(session)
        with i18n.use_language(lang):
            context["note"] = str(note) if note is not None else ""
        context["podium"] = _podium(db, session, PODIUM)
    return render("phone_view.html", lang, **context)


def phone_me(
    db: sqlite_utils.Database, session: live.LiveSession, participant: live.Participant, lang: str
) -> dict[str, Any]:
    """The phone's own part: its answer to the current question, and its place after a reveal."""
    return phone_parts(db, session, {participant.id: participant.user_id}, lang, one=True)[participant.id]


def phone_parts(
    db: sqlite_utils.Database,
    session: live.LiveSession,
    people: dict[int, int | None],
    lang: str,
    *,
    one: bool = False,
) -> dict[int, dict[str, Any]]:
    """:func:`phone_me` of many phones at once: ``people`` maps participant id to account id (or None).

    The push sends each phone its own part with the room's move (:mod:`quiz.ui.web.broadcast`):
    a few queries for the whole room instead of one request per phone after each reveal. ``one``
    reads a single participant's rows instead of the room's.
    """
    index = session.current_index
    asked = session.state in (live.State.QUESTION, *live.SHOWN_ANSWER) and 0 <= index < len(session.questions)
    question = live.shown_question(session, lang=lang) if asked else None
    only = next(iter(people)) if one and people else None
    answers: dict[int, live.LiveAnswer] = {}
    texts: dict[int, list[live.TextAnswer]] = {}
    talk: dict[int, list[live.TextAnswer]] = {}
    if question is not None:
        if live.is_open_question(question):
            texts = _texts(db, session.id, index, only, live.OPEN_KIND)
        else:
            answers = _answers(db, session.id, index, only)
        if session.discussing:
            talk = _texts(db, session.id, index, only, live.DISCUSSION_KIND)
    results: list[live.ParticipantResult] = []
    placed: dict[int, int] = {}
    if session.state in (*live.SHOWN_ANSWER, live.State.ENDED):
        results = standings(db, session.id, session.version)
        placed = live.places_by_participant(results)
    by_id = {r.participant_id: r for r in results}
    return {
        pid: _own_part(session, question, lang, answers.get(pid), texts.get(pid), talk.get(pid),
                       by_id.get(pid), placed.get(pid), len(results), user_id)
        for pid, user_id in people.items()
    }  # fmt: skip


def _answers(db: sqlite_utils.Database, session_id: int, index: int, only: int | None) -> dict[int, live.LiveAnswer]:
    if only is None:
        return live.answers_to(db, session_id, index)
    mine = live.answer_of(db, only, index)
    return {only: mine} if mine is not None else {}


def _texts(
    db: sqlite_utils.Database, session_id: int, index: int, only: int | None, kind: str
) -> dict[int, list[live.TextAnswer]]:
    if only is None:
        return live.texts_to(db, session_id, index, kind=kind)
    return {only: live.my_texts(db, only, index, kind=kind)}


def _own_part(
    session: live.LiveSession,
    question: Question | None,
    lang: str,
    mine: live.LiveAnswer | None,
    texts: list[live.TextAnswer] | None,
    talk: list[live.TextAnswer] | None,
    result: live.ParticipantResult | None,
    place: int | None,
    people: int,
    user_id: int | None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"v": session.version, "mine": None, "ack": "", "me": ""}
    lines: list[str] = []
    if question is not None:
        if live.is_open_question(question):
            if texts:
                out["ack"] = ack_texts(texts, lang)
        elif mine is not None:
            out["mine"] = mine.answer
            if session.state == live.State.QUESTION:
                out["ack"] = ack_answer(question, mine.answer, lang)
            else:
                verdict = "web.you_partly" if mine.score > 0 else "web.you_wrong"
                verdict = "web.you_right" if mine.correct else verdict
                lines.append(i18n.t("web.your_answer", lang=lang, answer=answer_words(question, mine.answer, lang)))
                lines.append(i18n.t(verdict, lang=lang))
        elif session.state != live.State.QUESTION:
            lines.append(i18n.t("web.no_answer", lang=lang))
        if session.discussing and talk:
            out["ack"] = ack_texts(talk, lang)
    if result is not None and place is not None and session.revealed_count:
        if session.state == live.State.ENDED and place == 1 and session.points_enabled:
            lines.append(i18n.t("web.winner", lang=lang))
        if session.points_enabled:
            lines.append(i18n.t("web.standing", lang=lang, points=result.points or 0, place=place, people=people))
        else:
            lines.append(i18n.t("web.standing_score", lang=lang, correct=result.correct, place=place, people=people))
    if session.state == live.State.ENDED and user_id is not None:
        lines.append(i18n.t("web.saved", lang=lang))
    out["me"] = "".join(f"<p>{escape(line)}</p>" for line in lines)
    return out


_STANDINGS: dict[tuple[str, int, int], list[live.ParticipantResult]] = {}
_STANDINGS_LOCK = threading.Lock()


def standings(db: sqlite_utils.Database, session_id: int, version: int) -> list[live.ParticipantResult]:
    """The room's results at this version, computed once per process (every phone asks after a reveal).

    One computation at a time: 300 phones asking at the same moment wait for the first one's
    result instead of each reading the whole room (measured: seconds of CPU, answers queued behind it).
    """
    key = (database_file(db), session_id, version)
    found = _STANDINGS.get(key)
    if found is not None:
        return found
    with _STANDINGS_LOCK:
        found = _STANDINGS.get(key)
        if found is None:
            found = live.participant_results(db, session_id)
            if len(_STANDINGS) > 64:
                _STANDINGS.clear()
            _STANDINGS[key] = found
    return found


def answer_words(question: Question, answer: Any, lang: str) -> str:
    """An answer in words, lettered as on the stage (»B. Sammen skaber vi velfærd«); a match's pairs
    numbered by statement (»udsagn 1: B. …; udsagn 2: A. …«)."""
    keys = [o.key for o in question.options]
    picks = [answer] if isinstance(answer, str) else list(answer or [])
    words = []
    for pick in picks:
        at = keys.index(pick) if pick in keys else -1
        words.append(f"{letter(at)}. {question.options[at].label}" if at >= 0 else str(pick))
    if question.kind == "assign" and not isinstance(answer, str):
        words = [i18n.t("web.match_pair", lang=lang, number=n, answer=w) for n, w in enumerate(words, start=1)]
    return "; ".join(words)


def ack_answer(question: Question, answer: Any, lang: str) -> str:
    received = i18n.t("web.received", lang=lang)
    yours = i18n.t("web.your_answer", lang=lang, answer=answer_words(question, answer, lang))
    return f'<p class="ok">{escape(received)}</p><p>{escape(yours)}</p>'


def ack_texts(texts: list[live.TextAnswer], lang: str) -> str:
    """The phone's receipt for its texts; one that waits for the facilitator's approval says so."""
    held = any(t.held and not t.hidden for t in texts)
    # »Shown on the screen« only where it is: a text that waits for approval says so, head and item.
    head = i18n.t("web.text_received_held" if held else "web.text_received", lang=lang)
    waiting = f" <em>({escape(i18n.t('web.text_waiting', lang=lang))})</em>"
    items = "".join(f"<li>»{escape(t.text)}«{waiting if t.held and not t.hidden else ''}</li>" for t in texts)
    done = ""
    if len(texts) >= live.TEXTS_PER_PERSON:
        done = f"<p>{escape(i18n.t('web.texts_done', lang=lang, most=live.TEXTS_PER_PERSON))}</p>"
    return f'<p class="ok">{escape(head)}</p><ul class="mine">{items}</ul>{done}'


@lru_cache(maxsize=64)
def qr_data_url(text: str) -> str:
    """A QR code of ``text`` as a data: URL (the CSP allows data: images; nothing is fetched)."""
    image = qrcode.make(text, box_size=10, border=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _cloud(phrases: list[tuple[str, int]]) -> list[tuple[str, int, float]]:
    most = max((n for _, n in phrases), default=1)
    # 1.0 to 2.2 times the stage's 40-px base: the least frequent phrase is still read from the back.
    return [(text, n, round(1.0 + 1.2 * (n - 1) / max(most - 1, 1), 2)) for text, n in phrases]


def stage_view(db: sqlite_utils.Database, session: live.LiveSession, lang: str, *, join_url: str) -> str:
    """What the stage shows of the room now, in ``lang`` for its own words (questions as stored)."""
    context = _base(session)
    pulse = live.pulse(db, session.id)
    context.update(
        people=pulse.participants, answered=pulse.answered, q=None, options=[], items=[], phrases=None,
        podium=[], rest=[], show_bars=False, show_right=False, names=[], more=0, locked=session.locked,
    )  # fmt: skip
    if session.state == live.State.LOBBY:
        names = [p.display_name for p in live.participants(db, session.id)]
        context.update(
            names=names[:NAMES_SHOWN],
            more=max(0, len(names) - NAMES_SHOWN),
            qr=qr_data_url(f"{join_url}?kode={session.code}"),
            link_text=join_url.split("://", 1)[-1],
        )
    elif session.state == live.State.ENDED:
        top = _podium(db, session, TOP_LIST)
        context.update(podium=top[:PODIUM], rest=top[PODIUM:])
    else:
        question = session.questions[session.current_index]
        shown_answer = session.state in live.SHOWN_ANSWER
        bars = shown_answer or settings.current().live_stage_bars == "live"
        context.update(q=question, show_right=shown_answer, show_bars=bars)
        if live.is_open_question(question):
            context["phrases"] = _cloud(live.word_counts(db, session.id, session.current_index))
        else:
            dist = live.distribution(db, session.id, session.current_index)
            context["options"] = _options(question, dist.counts)
            if question.kind == "assign":
                keys = [o.key for o in question.options]
                labels = {o.key: f"{letter(i)}. {o.label}" for i, o in enumerate(question.options)}
                context["items"] = [
                    {
                        "text": item.text,
                        "right": labels.get(question.accepted[i][0], "") if i < len(question.accepted) else "",
                        "counts": [
                            {"letter": letter(k), "count": tally.get(key, 0)}
                            for k, key in enumerate(keys)
                        ],
                    }
                    for i, item in enumerate(question.items)
                    for tally in [dist.per_item[i] if i < len(dist.per_item) else {}]
                ]
            if session.discussing:
                context["phrases"] = _cloud(
                    live.word_counts(db, session.id, session.current_index, kind=live.DISCUSSION_KIND)
                )
    return render("stage_view.html", lang, **context)


def page(template: str, lang: str, *, title: str, body_class: str, data: dict[str, Any], **context: Any) -> str:
    """A whole page: the shared head (our own script and styles, no inline script) around ``template``."""
    return render(
        template, lang, title=title, body_class=body_class, data=data, css_url=CSS_URL, js_url=JS_URL, **context
    )


def event(name: str, payload: dict[str, Any]) -> bytes:
    """One Server-Sent Event, encoded once and sent as it is to every screen that waits for it."""
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return f"event: {name}\ndata: {data}\n\n".encode()


def phone_message(db: sqlite_utils.Database, session: live.LiveSession, lang: str) -> bytes:
    """The phones' event for the room now: made once per room, state and language."""
    payload = {"v": session.version, "state": session.state.value, "index": session.current_index}
    return event("room", {**payload, "html": phone_view(db, session, lang)})


def stage_message(db: sqlite_utils.Database, session: live.LiveSession, key: str) -> bytes:
    """The stage's event; ``key`` is its language and the join address the QR code leads to."""
    lang, _, join_url = key.partition(" ")
    payload = {"v": session.version, "state": session.state.value, "index": session.current_index}
    return event("room", {**payload, "html": stage_view(db, session, lang, join_url=join_url)})
