"""A phone on the lean live page (quiz.ui.web) for tests: joins by POST, reads its page, answers by POST.

Over Starlette's TestClient against the app's own phone routes, on the progress.db of ``QUIZ_DB``;
``text()`` is what the phone shows (tags stripped), its own part (answer, place) included.
"""

from __future__ import annotations

import html
import re
from typing import Any

from starlette.applications import Starlette
from starlette.testclient import TestClient

from quiz.people.cookies import SESSION_COOKIE
from quiz.ui.web import phone, stage

ORIGIN = {"Origin": "http://testserver"}
JSON = {**ORIGIN, "Accept": "application/json"}
TAGS = re.compile(r"<[^>]+>")


class Phone:
    """One phone: its own cookies (participant, browser, sign-in) and the page it last loaded."""

    def __init__(self, *, lang: str = "da", address: str = "192.0.2.50", sign_in: str | None = None) -> None:
        self.client = TestClient(
            Starlette(routes=phone.ROUTES + stage.ROUTES), client=(address, 1),
            headers={"Accept-Language": lang}, follow_redirects=False,
        )  # fmt: skip
        if sign_in:
            self.client.cookies.set(SESSION_COOKIE, sign_in)
        self.html = ""
        self.last: dict[str, Any] = {}

    def open(self, code: str | None = None) -> Phone:
        self.html = self.client.get("/deltag" + (f"?kode={code}" if code else "")).text
        return self

    def join(self, code: str, name: str | None = None) -> Phone:
        data = {"kode": code} | ({"navn": name} if name else {})
        answer = self.client.post("/deltag", data=data, headers=ORIGIN)
        self.html = answer.text if answer.status_code != 303 else self.client.get(answer.headers["location"]).text
        return self

    def run(self) -> Phone:
        """Load the page again, as a reload (or the stream's next message) shows it."""
        return self.open()

    @property
    def csrf(self) -> str:
        found = re.search(r'data-csrf="([^"]+)"', self.html)
        return found.group(1) if found else ""

    def answer(self, index: int, answer: str | list[str]) -> dict[str, Any]:
        data: dict[str, str] = {"csrf": self.csrf, "index": str(index)}
        if isinstance(answer, str):
            data["svar"] = answer
        else:
            data |= {f"svar{i}": key for i, key in enumerate(answer)}
        self.last = self.client.post("/deltag/svar", data=data, headers=JSON).json()
        return self.last

    def write(self, index: int, text: str, *, kind: str = "open") -> dict[str, Any]:
        data = {"csrf": self.csrf, "index": str(index), "tekst": text, "art": kind}
        self.last = self.client.post("/deltag/tekst", data=data, headers=JSON).json()
        return self.last

    def text(self) -> str:
        """What the phone shows now, as words: the page and the last acknowledgement."""
        self.run()
        return " ".join(html.unescape(TAGS.sub(" ", part)) for part in (self.html, self.last.get("html", "")))


class Stage:
    """The projector on the lean stage (``/storskaerm/<key>``), opened by the session's secret link, signed out."""

    def __init__(self, key: str, *, lang: str = "da") -> None:
        self.key = key
        self.client = TestClient(
            Starlette(routes=stage.ROUTES), headers={"Accept-Language": lang}, follow_redirects=False
        )  # fmt: skip
        self.html = ""

    def text(self) -> str:
        """What the stage shows now, as words (a reload; the stream sends the same view)."""
        self.html = self.client.get(f"/storskaerm/{self.key}").text
        return html.unescape(TAGS.sub(" ", self.html))

    def cloud(self) -> list[str]:
        """The phrases of the word cloud on the stage now."""
        self.text()
        found = re.search(r'<ul class="cloud"[^>]*>(.*?)</ul>', self.html, flags=re.DOTALL)
        items = re.findall(r"<li[^>]*>(.*?)</li>", found.group(1), flags=re.DOTALL) if found else []
        return [html.unescape(TAGS.sub("", re.sub(r'<span class="times">.*?</span>', "", i))).strip() for i in items]
