"""The people on the Streamlit pages, as websocket clients: the facilitator's screen, a learner.

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

from quiz.people.cookies import SESSION_COOKIE as COOKIE
from quiz_devtools.loadtest.client import StreamlitClient

# What the pages show (quiz/ui/pages/facilitator.py, quiz.py, quiz/ui/question_widget.py).
UI = {
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
