"""The people of a live session, as websocket clients: a phone, the facilitator's screen, a learner.

Each knows its page by the widget keys and Danish texts the page shows (collected in ``UI`` below,
the one place to change when a page's wording changes) and measures what its person would notice:
how long until the answer is acknowledged, until the facilitator's count moves, until a question
appears.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from quiz.people.cookies import SESSION_COOKIE as COOKIE
from quiz_devtools.loadtest.client import StreamlitClient

# What the pages show (quiz/ui/pages/join.py, facilitator.py, quiz.py, quiz/ui/question_widget.py).
UI = {
    "join_name": "live_name",
    "join_submit": "Deltag",
    "joined": "du deltager som",
    "received": "Dit svar er modtaget",
    "text_received": "Modtaget – det vises på skærmen",
    "closed": "Der er lukket for svar",
    "ended": "Live-quizzen er slut",
    "start": "live_start",
    "reveal": "live_reveal",
    "next": "live_next",
    "finish": "live_finish",
    "answered": re.compile(r"^(\d+) af (\d+) har svaret"),
    "quiz_start": "start_quiz",
    "quiz_next": "quiz_next",
    "resume": "Velkommen tilbage: du er i gang med",
}


OPEN_TEXTS = ("Tillid og åbenhed", "Samarbejde på tværs", "Borgeren i centrum", "Mod til at sige fra")


def _received(text: str) -> bool:
    return UI["received"] in text or UI["text_received"] in text


def _question_submit_key(prefix: str) -> str:
    return f"submit-{prefix}"


def _answer_form(client: StreamlitClient, prefix: str, rng: random.Random) -> str | None:
    """Stage a random answer in the form of question ``prefix``; returns the submit key, None if not open."""
    submit = client.find_widget(_question_submit_key(prefix))
    if submit is None or submit.disabled:
        return None
    fields = [w for w in client.widgets() if w.form_id == submit.form_id]
    boxes = [w for w in fields if w.type == "selectbox"]
    # A match question takes each option once (the page refuses a repeat), so several dropdowns get
    # different options, as a person answering would pick them.
    if boxes and all(len(w.proto.options) >= len(boxes) for w in boxes):
        picks = rng.sample(range(min(len(w.proto.options) for w in boxes)), len(boxes))
    else:
        picks = [rng.randrange(len(w.proto.options)) for w in boxes]
    for w, pick in zip(boxes, picks, strict=True):
        client.stage(w, pick)
    for w in fields:
        if w.type == "radio":
            client.stage(w, rng.randrange(len(w.proto.options)))
        elif w.type == "text_input":  # an open question
            client.stage(w, rng.choice(OPEN_TEXTS))
    return submit.key


@dataclass
class Phone:
    """A participant's phone on /deltag, anonymous (a typed name) or signed in (the sign-in cookie)."""

    number: int
    base_url: str
    code: str
    session_id: int
    user_token: str | None = None
    token: str | None = None  # the participant token the page put in the URL (?p=)
    client: StreamlitClient | None = None
    cookies: dict[str, str] = field(default_factory=dict)  # more cookies, e.g. nginx's hv_route
    acks: dict[int, float] = field(default_factory=dict)  # question index -> seconds from send to ack
    sent_at: dict[int, float] = field(default_factory=dict)
    acked_at: dict[int, float] = field(default_factory=dict)
    seen_at: dict[int, float] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"Deltager {self.number:03d}"

    async def join(self, *, timeout: float = 60.0) -> float:
        """Open the join link (or the token link, to rejoin) and join; returns the seconds it took."""
        query = f"kode={self.code}" + (f"&p={self.token}" if self.token else "")
        cookies = {**self.cookies, **({COOKIE: self.user_token} if self.user_token else {})}
        self.client = StreamlitClient(name=self.name, page_name="deltag", query_string=query, cookies=cookies)
        began = time.perf_counter()
        await self.client.connect(self.base_url, timeout=timeout)
        if not any(UI["joined"] in t for t in self.client.texts()):
            if self.client.find_widget(UI["join_name"]) is not None:
                await self.client.set_widget(UI["join_name"], self.name)
            await self.client.click_button(label=UI["join_submit"], wait=False)
            await self.client.wait_for_text(UI["joined"], timeout)
        self.token = parse_qs(self.client.query_string).get("p", [self.token])[0]
        return time.perf_counter() - began

    async def wait_for_question(self, index: int, *, timeout: float) -> None:
        """Until question ``index`` is open for answers on the phone."""
        key = _question_submit_key(f"live-{self.session_id}-{index}")

        def is_open(c: StreamlitClient) -> bool:
            w = c.find_widget(key)
            return w is not None and not w.disabled

        await self.client.wait_for(is_open, timeout)
        self.seen_at[index] = time.perf_counter()

    async def answer(self, index: int, rng: random.Random, *, timeout: float = 60.0) -> float | None:
        """Answer question ``index`` and wait for the acknowledgement; seconds from send to ack, None if closed."""
        c = self.client
        submit = _answer_form(c, f"live-{self.session_id}-{index}", rng)
        if submit is None:
            return None
        before = c.runs_started
        sent = time.perf_counter()
        await c.click_button(submit, wait=False)

        def acknowledged(c: StreamlitClient) -> bool:
            # Drawn by a run (full, or the live fragment's) that began after the answer was sent.
            return c.runs_started > before and any(
                _received(t) or UI["closed"] in t for t in c.texts(run_id=c.run.run_id)
            )

        await c.wait_for(acknowledged, timeout)
        if not any(_received(t) for t in c.texts()):
            return None
        self.sent_at[index], self.acked_at[index] = sent, time.perf_counter()
        self.acks[index] = self.acked_at[index] - sent
        return self.acks[index]

    def describe(self) -> str:
        """What the phone shows and where its runs are, for an error message."""
        c = self.client
        if c is None:
            return "not connected"
        texts = " | ".join(t[:50] for t in c.texts()[-3:])
        # The runs of the whole page and what was sent, without the steady polling.
        trace = [
            t
            for t in c.trace
            if "fragment" not in t and "finished 3" not in t and ("> rerun" not in t or t.endswith("full"))
        ]
        buttons = [(w.key, w.disabled) for w in c.widgets() if w.type == "button"]
        return (
            f"shows {texts!r}; buttons {buttons}; last run status {c.run.status} fragment {bool(c.run.fragment_ids)}; "
            f"full runs {c.full_runs_finished}/{c.full_runs_started}; fragment runs {c.fragment_runs_finished}; "
            f"polling {len(c._auto_reruns)}; closed {c.close_reason}; trace {trace[-30:]}"
        )

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()


@dataclass
class FacilitatorScreen:
    """The facilitator's screen on /facilitator?session=ID, signed in by cookie."""

    base_url: str
    session_id: int
    user_token: str
    client: StreamlitClient | None = None
    counts: dict[int, list[tuple[float, int]]] = field(default_factory=dict)  # index -> [(time, answered)]
    cookies: dict[str, str] = field(default_factory=dict)  # more cookies, e.g. nginx's hv_route

    async def open(self, *, timeout: float = 120.0) -> None:
        self.client = StreamlitClient(
            name="facilitator",
            page_name="facilitator",
            query_string=f"session={self.session_id}",
            cookies={**self.cookies, COOKIE: self.user_token},
        )
        await self.client.connect(self.base_url, timeout=timeout)

    def answered(self) -> tuple[int, int] | None:
        """The "N af M har svaret" the screen shows now."""
        for text in self.client.texts():
            found = UI["answered"].match(text)
            if found:
                return int(found[1]), int(found[2])
        return None

    async def press(self, key: str, *, timeout: float = 60.0) -> float:
        """Click a button when it is there; returns the seconds until the page was redrawn."""
        await self.client.wait_for(lambda c: c.find_widget(key) is not None, timeout)
        began = time.perf_counter()
        await self.client.click_button(key, timeout=timeout)
        return time.perf_counter() - began

    async def watch_answers(self, index: int, expected: int, *, timeout: float) -> int:
        """Record every change of the answer count until ``expected`` answered; returns the last count."""
        seen = self.counts.setdefault(index, [])

        def track(c: StreamlitClient) -> bool:
            now = self.answered()
            if now is not None and (not seen or seen[-1][1] != now[0]):
                seen.append((time.perf_counter(), now[0]))
            return bool(seen) and seen[-1][1] >= expected

        try:
            await self.client.wait_for(track, timeout)
        except TimeoutError:
            pass
        return seen[-1][1] if seen else 0

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()


@dataclass
class Learner:
    """A signed-in learner taking a self-paced quiz on /quiz."""

    base_url: str
    user_token: str
    client: StreamlitClient | None = None

    async def open(self, *, timeout: float = 60.0) -> None:
        self.client = StreamlitClient(name="learner", page_name="quiz", cookies={COOKIE: self.user_token})
        await self.client.connect(self.base_url, timeout=timeout)

    def _open_question_prefix(self) -> str | None:
        for w in self.client.widgets():
            if w.type == "button" and (w.key or "").startswith("submit-") and not w.disabled:
                return w.key.removeprefix("submit-")
        return None

    async def start_quiz(self, *, timeout: float = 60.0) -> None:
        await self.client.click_button(UI["quiz_start"], timeout=timeout)

    async def answer_current(self, rng: random.Random, *, timeout: float = 60.0) -> str:
        """Answer the question on screen and go on past the feedback; returns its ``attempt-index``."""
        prefix = self._open_question_prefix()
        if prefix is None:
            raise RuntimeError(f"learner: no open question; texts {self.client.texts()}")
        submit = _answer_form(self.client, prefix, rng)
        await self.client.click_button(submit, timeout=timeout)
        await self.client.click_button(UI["quiz_next"], timeout=timeout)
        return prefix

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()


async def gather_bounded(coros, *, timeout: float) -> list:
    """Run all, at most ``timeout`` seconds; what is still running then is cancelled."""
    tasks = [asyncio.ensure_future(c) for c in coros]
    done, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    return [
        TimeoutError(f"still running after {timeout:.0f}s") if t.cancelled() else (t.exception() or t.result())
        for t in tasks
    ]
