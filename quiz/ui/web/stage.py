"""``/storskaerm/<key>``: the stage (projector) behind a per-session secret link, and its stream.

The link works on a signed-out PC: the key is the session's presenter secret
(:func:`quiz.live.stage_key`, made and revoked on the control page). An unknown or revoked key gets
a plain page saying so, never the room.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Route

from quiz import i18n, live
from quiz.store.db import utcnow
from quiz.ui.server.client import request_is_https
from quiz.ui.web import broadcast, guard, views, workers

PATH = "/storskaerm"
STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no", "Referrer-Policy": "no-referrer"}


def join_url(request: Request) -> str:
    """The phones' join address as this stage's browser reached the app (the QR code's target)."""
    scheme = "https" if request_is_https(request) else "http"
    host = request.headers.get("host", "localhost")
    return f"{scheme}://{host}/deltag"


def _gone(lang: str) -> HTMLResponse:
    html = views.page(
        "gone.html", lang, title=i18n.t("web.stage_title", lang=lang), body_class="stage-gone", data={},
        message=i18n.t("web.stage_gone", lang=lang),
    )  # fmt: skip
    return HTMLResponse(html, status_code=404, headers={"Cache-Control": "no-store"})


def _page(request: Request, key: str, lang: str) -> Response:
    db = broadcast.hub().db()
    session_id = live.session_for_stage_key(db, key)
    session = live.get_session(db, session_id) if session_id is not None else None
    if session is None:
        return _gone(lang)
    view = views.stage_view(db, session, lang, join_url=join_url(request))
    html = views.page(
        "stage.html", lang, title=session.title, body_class="stage", view=view,
        data={"stream": f"{PATH}/{key}/strom", "version": session.version, "now": int(utcnow().timestamp() * 1000),
              "up": i18n.t("web.time_up", lang=lang)},
    )  # fmt: skip
    return HTMLResponse(html, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


async def stage_page(request: Request) -> Response:
    return await workers.in_worker(_page, request, request.path_params["key"], guard.language(request))


def _session_of(key: str) -> int | None:
    return live.session_for_stage_key(broadcast.hub().db(), key)


async def events(request: Request) -> Response:
    session_id = await workers.in_worker(_session_of, request.path_params["key"])
    if session_id is None:
        return Response(status_code=204)  # revoked: EventSource stops asking
    key = ("stage", f"{guard.language(request)} {join_url(request)}")
    return StreamingResponse(
        broadcast.stream(broadcast.hub(), session_id, key), media_type="text/event-stream", headers=STREAM_HEADERS
    )


ROUTES = [
    Route(PATH + "/{key}", stage_page, methods=["GET"]),
    Route(PATH + "/{key}/strom", events, methods=["GET"]),
]
