"""Phones and the stage as plain HTTP/SSE clients of the lean pages (``/deltag``, ``/storskaerm/<key>``).

Each phone is an ``httpx.AsyncClient`` of its own (its own cookies) over one shared connection
pool, so one asyncio process plays thousands of phones. A phone joins as a browser would (the join
page, our script and styles, the join POST), opens the room's Server-Sent Events, answers each
question with one POST when it appears, and notes when it saw each question and the end. Its own
part (its answer, its place) comes in the stream after each reveal, as the page's script gets it.
When a stream breaks, the phone opens it again after the server's ``retry`` time, as a browser's
``EventSource`` does. The stage follows its stream and notes every »N af M har svaret« it shows.
"""

from __future__ import annotations

import asyncio
import json
import re
import ssl
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx

CSRF = re.compile(r'data-csrf="([^"]+)"')
ASSET = re.compile(r'(?:src|href)="(/hv-assets/[^"]+)"')
OPTION = re.compile(r'name="svar" value="([^"]+)"')
MATCH = re.compile(r'name="svar(\d+)" value="([^"]+)"')
ANSWERED = re.compile(r'class="answered">(\d+) (?:af|of) (\d+)')


RETRY = 2.0  # seconds, the server's ``retry:`` for a broken stream
RECONNECTS = 5
_SSL = ssl.create_default_context()  # made once: each transport would make its own (milliseconds each)


def transport(connections: int = 2) -> httpx.AsyncHTTPTransport:
    """A connection pool: one per phone (its stream and its requests), as a browser has its own.

    One pool shared by thousands of phones is slow: httpcore looks through every connection of a
    pool for each request, so 2,000 open streams made every answer cost milliseconds of the load
    test's own CPU (measured: 419 s of client CPU for 2,000 phones × 5 questions).
    """
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncHTTPTransport(limits=limits, verify=_SSL)


def _size(response: httpx.Response) -> int:
    """Bytes on the wire, near enough: the (compressed) body and the response headers."""
    head = sum(len(k) + len(v) + 4 for k, v in response.headers.raw) + 17
    return head + response.num_bytes_downloaded


async def events(response: httpx.Response) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """The Server-Sent Events of an open stream, as (name, data)."""
    name, data = "message", []
    async for line in response.aiter_lines():
        if not line:
            if data:
                yield name, json.loads("\n".join(data))
            name, data = "message", []
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())


@dataclass
class LeanPhone:
    """One participant's phone: joins, follows the room, answers; what it saw and when."""

    number: int
    base_url: str
    code: str
    pool: httpx.AsyncHTTPTransport
    user_token: str | None = None
    address: str = ""
    token: str | None = None
    csrf: str = ""
    join_bytes: int = 0
    joined: bool = False
    seen_at: dict[int, float] = field(default_factory=dict)
    sent_at: dict[int, float] = field(default_factory=dict)
    acks: dict[int, float] = field(default_factory=dict)
    ended_at: float | None = None
    shown: dict[int, str] = field(default_factory=dict)  # question index -> its HTML
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    client: httpx.AsyncClient | None = None
    own: dict[str, Any] | None = None  # the phone's own part, as the stream's last ``me`` event had it
    reconnects: int = 0
    resent: int = 0  # answers sent again after the kept-alive connection closed under them

    @property
    def name(self) -> str:
        return f"phone {self.number}"

    def _client(self) -> httpx.AsyncClient:
        if self.client is None:
            headers = {"Accept-Language": "da", "Accept-Encoding": "br, gzip"}
            if self.address:
                headers["X-Forwarded-For"] = self.address  # a phone of its own behind the trusted proxy
            self.client = httpx.AsyncClient(
                base_url=self.base_url, transport=self.pool, headers=headers, timeout=60.0, follow_redirects=False,
                trust_env=False,
            )
            if self.user_token:
                self.client.cookies.set("hv_session", self.user_token)
        return self.client

    async def join(self) -> None:
        """Scan the code: the page, its script and styles, the join POST and the lobby page."""
        client = self._client()
        page = await client.get(f"/deltag?kode={self.code}")
        page.raise_for_status()
        total = _size(page)
        for asset in sorted(set(ASSET.findall(page.text))):
            total += _size(await client.get(asset))
        data = {"kode": self.code} if self.user_token else {"kode": self.code, "navn": f"Telefon {self.number}"}
        joined = await client.post("/deltag", data=data, headers={"Origin": self.base_url})
        if joined.status_code != 303:
            raise RuntimeError(f"join refused ({joined.status_code})")
        total += _size(joined)
        self.token = client.cookies.get("hv_live")
        lobby = await client.get(joined.headers["location"])
        lobby.raise_for_status()
        total += _size(lobby)
        found = CSRF.search(lobby.text)
        if found is None:
            raise RuntimeError("the lobby page has no form token")
        self.csrf = found.group(1)
        self.join_bytes = total
        self.joined = True

    async def follow(self) -> None:
        """Follow the room's stream until the end, noting when each question, its own part and the end arrived.

        A broken stream is opened again after :data:`RETRY` seconds, as ``EventSource`` does
        (``reconnects`` counts them); it gives up after :data:`RECONNECTS` tries in a row.
        """
        failures = 0
        while True:
            try:
                if await self._follow_once():
                    return
                failures = 0
            except (httpx.HTTPError, ValueError):
                failures += 1
                if failures > RECONNECTS:
                    raise
            self.reconnects += 1
            await asyncio.sleep(RETRY)

    async def _follow_once(self) -> bool:
        """One open stream; True once the end and the phone's own part at the end have arrived."""
        client = self._client()
        async with client.stream("GET", "/deltag/strom", timeout=httpx.Timeout(60.0, read=None)) as response:
            response.raise_for_status()
            async for name, data in events(response):
                now = time.perf_counter()
                if name == "me":
                    self.own = data
                    if self.ended_at is not None:
                        return True
                    continue
                if name != "room":
                    continue
                if data["state"] == "question" and data["index"] not in self.seen_at:
                    self.seen_at[data["index"]] = now
                    self.shown[data["index"]] = data["html"]
                    self.arrived.set()
                elif data["state"] == "ended" and self.ended_at is None:
                    self.ended_at = now
                    self.arrived.set()
        return False

    def answer_for(self, index: int, pick: int) -> dict[str, str]:
        html = self.shown[index]
        options = OPTION.findall(html)
        if options:
            return {"svar": options[pick % len(options)]}
        per_item: dict[str, list[str]] = {}
        for item, key in MATCH.findall(html):
            per_item.setdefault(item, []).append(key)
        return {f"svar{item}": keys[(pick + int(item)) % len(keys)] for item, keys in per_item.items()}

    async def answer(self, index: int, pick: int) -> None:
        """One tap: the answer POST, timed until the phone has its acknowledgement."""
        data = {"csrf": self.csrf, "index": str(index), **self.answer_for(index, pick)}
        if "svar" not in data and not any(k.startswith("svar") for k in data):
            data = {"csrf": self.csrf, "index": str(index), "tekst": f"Tanke fra telefon {self.number}"}
            path = "/deltag/tekst"
        else:
            path = "/deltag/svar"
        headers = {"Origin": self.base_url, "Accept": "application/json"}
        started = time.perf_counter()
        self.sent_at[index] = started
        try:
            response = await self._client().post(path, data=data, headers=headers)
        except (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError):
            # The server closed the idle kept-alive connection as the POST went out on it: a browser
            # sends it again on a new connection by itself, and so does this phone (counted).
            self.resent += 1
            response = await self._client().post(path, data=data, headers=headers)
        if response.status_code != 200 or not response.json().get("ok"):
            raise RuntimeError(f"answer {index + 1} refused ({response.status_code}): {response.text[:120]}")
        self.acks[index] = time.perf_counter() - started



@dataclass
class StageScreen:
    """The projector: follows the stage's stream and notes each count it shows."""

    url: str
    counts: dict[int, list[tuple[float, int]]] = field(default_factory=dict)
    ended_at: float | None = None
    cookies: dict[str, str] = field(default_factory=dict)

    def answered(self, index: int) -> int:
        """The last count the stage showed for question ``index``."""
        shown = self.counts.get(index)
        return shown[-1][1] if shown else 0

    async def follow(self) -> None:
        async with httpx.AsyncClient(timeout=httpx.Timeout(60.0, read=None), cookies=self.cookies) as client:
            async with client.stream("GET", self.url) as response:
                response.raise_for_status()
                async for name, data in events(response):
                    if name != "room":
                        continue
                    now = time.perf_counter()
                    if data["state"] == "ended":
                        self.ended_at = now
                        return
                    found = ANSWERED.search(data["html"])
                    if data["state"] == "question" and found:
                        self.counts.setdefault(data["index"], []).append((now, int(found.group(1))))


async def wait_for_question(phone: LeanPhone, index: int, *, timeout: float) -> None:
    """Until the phone's stream has shown question ``index`` (or the end)."""
    async def seen() -> None:
        while index not in phone.seen_at and phone.ended_at is None:
            phone.arrived.clear()
            if index in phone.seen_at or phone.ended_at is not None:
                return
            await phone.arrived.wait()

    await asyncio.wait_for(seen(), timeout)


async def page(phone: LeanPhone) -> str:
    """The phone's page as a reload shows it (the participant cookie finds its place)."""
    response = await phone._client().get("/deltag")
    response.raise_for_status()
    return response.text
