"""``/deltag``: the phone's lean page, where a participant joins, follows the room and answers.

* ``GET /deltag[?kode=…]``: the join form, or the room as it is now for this phone.
* ``POST /deltag``: join; the only place the participant cookie is set (no GET link can).
* ``GET /deltag/strom``: the room's Server-Sent Events (the browser reconnects by itself); after a
  reveal and at the end, the phone's own part (its answer, its place) follows the room's message.
* ``POST /deltag/svar``, ``/deltag/tekst``: an answer, a short text; acknowledged in JSON to the
  page's script, or by a redirect to the page for a browser without script.
* ``POST /deltag/forlad``: leave this room on this phone (the answers stay).
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from quiz import i18n, live, settings
from quiz.people import brakes
from quiz.plugins import get_registry
from quiz.store.db import to_iso, utcnow
from quiz.ui.web import broadcast, guard, views, workers

PATH = "/deltag"
STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


def hub() -> broadcast.Broadcaster:
    return broadcast.hub()


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _page(request: Request, lang: str, *, status: int = 200, problem: str = "", code: str = "") -> HTMLResponse:
    db = hub().db()
    user = guard.signed_in(db, request)
    lang = guard.language(request, user, db) if user is not None else lang
    found = guard.participant(db, request, user, code=code or request.query_params.get("kode"))
    session = live.get_session(db, found.session_id) if found is not None else None
    other = "en" if lang == "da" else "da"
    data: dict[str, Any] = {}
    context: dict[str, Any] = {"view": "", "ack": "", "me": "", "csrf": "", "header": ""}
    if found is not None and found.removed:
        problem = problem or i18n.t("web.removed", lang=lang)
        found = None
    if found is not None and session is not None:
        csrf = guard.csrf_token(request, user)
        me = views.phone_me(db, session, found, lang)
        view = views.phone_view(db, session, lang).replace(views.CSRF_MARK, csrf)
        context.update(
            view=view, ack=me["ack"], me=me["me"], csrf=csrf,
            header=i18n.t("web.header", lang=lang, code=session.code, name=found.display_name),
        )  # fmt: skip
        data = {
            "csrf": csrf,
            "stream": f"{PATH}/strom",
            "version": session.version,
            "state": session.state.value,
            "mine": views.json.dumps(me["mine"], ensure_ascii=False),
            "now": int(utcnow().timestamp() * 1000),
            "sending": i18n.t("web.sending", lang=lang),
            "up": i18n.t("web.time_up", lang=lang),
        }
    html = views.page(
        "phone.html", lang, title=i18n.t("web.title", lang=lang), body_class="phone", data=data,
        problem=problem, code=code or live.normalize_code(request.query_params.get("kode")),
        user_name=user.display_name if user else "", other_lang=other, **context,
    )  # fmt: skip
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


async def phone_page(request: Request) -> Response:
    lang = guard.language(request)
    return await workers.in_worker(_page, request, lang)


def _join(request: Request, form: dict[str, str], lang: str) -> Response:
    db = hub().db()
    user = guard.signed_in(db, request)
    lang = guard.language(request, user, db) if user is not None else lang
    code = live.normalize_code(form.get("kode", ""))[:12]
    browser = request.cookies.get(guard.BROWSER_COOKIE)
    fresh_browser = not guard.is_browser_id(browser)
    if fresh_browser:
        browser = guard.new_browser_id()
    keys = guard.client_keys(request, None if fresh_browser else browser)
    # New participants are braked per browser and address (the wrong codes have their own brake in live.join).
    reservation = brakes.reserve(db, scope="join_new", keys=keys)
    if not reservation.allowed:
        seconds = max(1, math.ceil(reservation.retry_after_seconds))
        problem = i18n.t("web.refused_braked", lang=lang, seconds=seconds)
        response = _page(request, lang, status=429, problem=problem, code=code)
        response.headers["Retry-After"] = str(seconds)
        return response
    now = utcnow()
    with i18n.use_language(lang):
        try:
            found, token = live.join(
                db, code, user_id=user.id if user else None, display_name=form.get("navn") or None,
                client_key=guard.client_key(request), browser=browser,
                room_cap=settings.current().live_room_cap, now=now,
            )  # fmt: skip
        except (live.LiveError, live.InvalidInput) as exc:
            brakes.settle(db, reservation, success=True)  # refused: not a new participant
            status = 429 if isinstance(exc, live.JoinLocked) else 400
            return _page(request, lang, status=status, problem=str(exc), code=code)
    if to_iso(found.joined_at) != to_iso(now):
        brakes.settle(db, reservation, success=True)  # an old place found again: not a new participant
    joined = RedirectResponse(f"{PATH}?kode={code}", status_code=303)
    guard.set_cookie(joined, request, guard.PARTICIPANT_COOKIE, token)
    if fresh_browser and browser is not None:
        guard.set_cookie(joined, request, guard.BROWSER_COOKIE, browser)
    return joined


async def join(request: Request) -> Response:
    lang = guard.language(request)
    if not guard.same_origin(request):
        problem = i18n.t("web.refused_origin", lang=lang)
        return await workers.in_worker(_page, request, lang, status=403, problem=problem)
    return await workers.in_worker(_join, request, await _posted(request), lang)


def _acting(request: Request, form: dict[str, str], lang: str) -> tuple[live.Participant | None, str, str | None]:
    """The participant of this POST and the phone's language, or the key of the refusal."""
    db = hub().db()
    if not guard.same_origin(request):
        return None, lang, "web.refused_origin"
    user = guard.signed_in(db, request)
    lang = guard.language(request, user, db) if user is not None else lang
    found = guard.participant(db, request, user)
    if found is None:
        return None, lang, "web.refused_unknown"
    if not guard.csrf_ok(request, user, form.get("csrf")):
        return None, lang, "web.refused_origin"
    if found.removed:
        return None, lang, "web.removed"
    return found, lang, None


def _reply(request: Request, ok: bool, html: str, *, status: int = 200) -> Response:
    if _wants_json(request):
        return JSONResponse({"ok": ok, "html": html}, status_code=status)
    return RedirectResponse(PATH, status_code=303)


def _problem(text: str) -> str:
    return f'<p class="problem">{views.escape(text)}</p>'


def _index(form: dict[str, str]) -> int:
    """The question a POST is about (-1 when the form names none: refused as closed)."""
    try:
        return int(form.get("index", ""))
    except ValueError:
        return -1


def _answer(request: Request, form: dict[str, str], lang: str) -> Response:
    found, lang, refusal = _acting(request, form, lang)
    if found is None:
        return _reply(request, False, _problem(i18n.t(refusal or "web.refused_unknown", lang=lang)), status=403)
    db = hub().db()
    index = _index(form)
    session = live.get_session(db, found.session_id)
    if session is None or not 0 <= index < len(session.questions):
        return _reply(request, False, _problem(i18n.t("web.closed", lang=lang)), status=409)
    question = session.questions[index]
    answer: Any
    if question.kind == "assign":
        answer = [form.get(f"svar{i}", "") for i in range(len(question.items))]
    else:
        answer = form.get("svar", "")
    with i18n.use_language(lang):
        try:
            live.submit_answer(db, session.id, found.id, index, answer, registry=get_registry(), session=session)
        except live.AnswerClosed:
            return _reply(request, False, _problem(i18n.t("web.closed", lang=lang)), status=409)
        except live.LiveError as exc:
            return _reply(request, False, _problem(str(exc)), status=400)
    shown = live.shown_question(session, index, lang=lang)
    return _reply(request, True, views.ack_answer(shown, answer, lang))


def _text(request: Request, form: dict[str, str], lang: str) -> Response:
    found, lang, refusal = _acting(request, form, lang)
    if found is None:
        return _reply(request, False, _problem(i18n.t(refusal or "web.refused_unknown", lang=lang)), status=403)
    db = hub().db()
    index = _index(form)
    kind = live.DISCUSSION_KIND if form.get("art") == live.DISCUSSION_KIND else live.OPEN_KIND
    submit = live.submit_discussion_text if kind == live.DISCUSSION_KIND else live.submit_text
    with i18n.use_language(lang):
        try:
            submit(db, found.session_id, found.id, index, form.get("tekst", ""))
        except live.AnswerClosed:
            return _reply(request, False, _problem(i18n.t("web.closed", lang=lang)), status=409)
        except live.LiveError as exc:
            return _reply(request, False, _problem(str(exc)), status=400)
    texts = live.my_texts(db, found.id, index, kind=kind)
    return _reply(request, True, views.ack_texts(texts, lang))


FORM_MAX = 16 * 1024  # bytes: a token, an index and at most a short text (quiz.live.TEXT_MAX)


async def _posted(request: Request) -> dict[str, str]:
    """The POST's fields. The page's script sends them URL-encoded, read here with the standard library
    (a fraction of the multipart parser's cost, per answer in a room of 2,000); anything else, e.g. a
    multipart form, goes through Starlette's parser. A body over :data:`FORM_MAX` reads as empty."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        form = await request.form()
        return {k: str(v) for k, v in form.items() if isinstance(v, str)}
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_MAX:
            return {}
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


async def answer(request: Request) -> Response:
    return await workers.in_worker(_answer, request, await _posted(request), guard.language(request))


async def text(request: Request) -> Response:
    return await workers.in_worker(_text, request, await _posted(request), guard.language(request))


def _whose_stream(request: Request) -> tuple[live.Participant | None, str]:
    db = hub().db()
    user = guard.signed_in(db, request)
    found = guard.participant(db, request, user)
    lang = guard.language(request, user, db)
    return (found if found is not None and not found.removed else None), lang


async def events(request: Request) -> Response:
    found, lang = await workers.in_worker(_whose_stream, request)
    if found is None:
        return Response(status_code=204)  # nothing to follow: EventSource stops asking
    followed = broadcast.stream(hub(), found.session_id, ("phone", lang), (found.id, found.user_id))
    return StreamingResponse(followed, media_type="text/event-stream", headers=STREAM_HEADERS)


async def leave(request: Request) -> Response:
    form = await _posted(request)
    user = await workers.in_worker(lambda: guard.signed_in(hub().db(), request))
    if not guard.same_origin(request) or not guard.csrf_ok(request, user, form.get("csrf")):
        return RedirectResponse(PATH, status_code=303)
    response = RedirectResponse(PATH, status_code=303)
    response.delete_cookie(guard.PARTICIPANT_COOKIE, path=guard.COOKIE_PATH, httponly=True, samesite="lax")
    return response


ROUTES = [
    Route(PATH, phone_page, methods=["GET"]),
    Route(PATH, join, methods=["POST"]),
    Route(f"{PATH}/strom", events, methods=["GET"]),
    Route(f"{PATH}/svar", answer, methods=["POST"]),
    Route(f"{PATH}/tekst", text, methods=["POST"]),
    Route(f"{PATH}/forlad", leave, methods=["POST"]),
]
