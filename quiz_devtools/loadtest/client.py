"""A Streamlit browser without a browser: an asyncio client for Streamlit's own websocket protocol.

Used by the load test (``python -m quiz loadtest``) and the crash test to play hundreds of phones
against a real ``streamlit run serve.py``. It does what the official frontend does (checked against
Streamlit 1.67's frontend and server; see docs/performance.md):

* connect to ``ws://HOST/_stcore/stream`` with the subprotocols ``["streamlit", <xsrf token or
  "PLACEHOLDER_AUTH_TOKEN">, <session id to resume>?]``; cookies ride on the handshake and are what
  ``st.context.cookies`` sees for the whole session;
* the server starts no run on connect: the client sends ``BackMsg.rerun_script`` first;
* every rerun carries the full set of current widget states; a button's trigger is sent once and
  then dropped; widgets inside a form are staged locally and sent with the submit trigger;
* ``st.fragment(run_every=N)``: the server announces ``auto_rerun`` and the *client* asks for the
  fragment rerun every N seconds;
* ``st.query_params`` changes arrive as ``page_info_changed`` and go into the next rerun's query string.

Frames are protobufs (``BackMsg`` up, ``ForwardMsg`` down). Only ``streamlit.proto`` is imported,
never the ``streamlit`` UI API, so this stays a test tool and no page code.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

WIDGET_ID_PREFIX = "$$ID"

# Element types whose text texts() returns, and the field that holds it.
TEXT_FIELDS = {
    "markdown": "body",
    "text": "body",
    "alert": "body",
    "heading": "body",
    "code": "code_text",
    "exception": "message",
    "toast": "body",
    "progress": "text",
    "metric": "body",
}


def user_key_from_widget_id(widget_id: str) -> str | None:
    """The ``key=`` a widget was given (the rule of ``streamlit.runtime.state.common``)."""
    key = widget_id.split("-", maxsplit=2)[-1]
    return None if key == "None" else key


class StreamlitError(RuntimeError):
    """The connection closed, or the server sent something the client cannot follow."""


@dataclass
class Node:
    """One rendered element or block, keyed by its delta path."""

    kind: str  # "element" | "block"
    proto: Any
    run_id: str
    fragment_id: str


@dataclass(frozen=True)
class Widget:
    """A rendered widget: its id (what the server knows it by), user key, type and proto."""

    id: str
    key: str | None
    type: str  # the Element oneof name, e.g. "radio"
    proto: Any
    path: tuple[int, ...]
    fragment_id: str = ""  # set when the widget was drawn by a fragment: using it reruns only that

    @property
    def form_id(self) -> str:
        return getattr(self.proto, "form_id", "") or ""

    @property
    def label(self) -> str:
        return getattr(self.proto, "label", "")

    @property
    def disabled(self) -> bool:
        return bool(getattr(self.proto, "disabled", False))


@dataclass
class RunInfo:
    run_id: str = ""
    fragment_ids: tuple[str, ...] = ()
    finished: bool = False
    status: int | None = None
    started_at: float = field(default_factory=time.perf_counter)


class StreamlitClient:
    """One browser tab's session. Create, ``await connect(url)``, act, ``await close()``.

    ``page_name`` is the page's url path (``"deltag"``), ``query_string`` the URL's query without
    ``?``. ForwardMsgs are applied by a reader task; ``wait_for(predicate)`` checks the predicate
    after every message, so a short-lived state is never missed.
    """

    def __init__(
        self,
        *,
        cookies: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        query_string: str = "",
        page_name: str = "",
        auto_rerun_fragments: bool = True,
        context_info: dict[str, Any] | None = None,
        name: str = "client",
    ) -> None:
        self.cookies = cookies or {}
        self.headers = headers or {}
        self.query_string = query_string
        self.page_name = page_name
        self.auto_rerun_fragments = auto_rerun_fragments
        self.context_info = context_info
        self.name = name

        self.base_url = ""
        self.ws: Any = None
        self.session_id: str | None = None
        self.page_script_hash = ""
        self.nodes: dict[tuple[int, ...], Node] = {}
        self.widget_states: dict[str, WidgetState] = {}  # what the frontend's WidgetStateManager holds
        self.form_states: dict[str, dict[str, WidgetState]] = {}  # staged values, by form id
        self.run = RunInfo(finished=True)
        self.full_runs_started = 0
        self.runs_started = 0  # full and fragment runs
        self.fragment_runs_started = 0
        self.full_runs_finished = 0
        self.fragment_runs_finished = 0
        self.last_fragment_finished_seq = 0  # fragment_runs_started when the last fragment run finished
        self.last_full_finished_seq = 0  # full_runs_started when the last full run finished
        self.msg_count = 0
        self.exceptions: list[str] = []
        self.closed = asyncio.Event()
        self.close_reason: str | None = None
        self.trace: deque[str] = deque(maxlen=400)  # the last messages in and out, for error reports
        self._waiters: list[tuple[Callable[[StreamlitClient], bool], asyncio.Future]] = []
        self._reader: asyncio.Task | None = None
        self._auto_reruns: dict[str, tuple[float, asyncio.Task]] = {}

    # --- connecting ---------------------------------------------------------------------------

    async def connect(
        self, base_url: str, *, resume_session_id: str | None = None, initial_rerun: bool = True, timeout: float = 30.0
    ) -> None:
        """Open the websocket and (by default) run the page once, like a browser opening the URL."""
        parts = urlsplit(base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        uri = f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"
        self.base_url = base_url.rstrip("/")
        xsrf = self.cookies.get("_streamlit_xsrf", "PLACEHOLDER_AUTH_TOKEN")
        protocols = ["streamlit", xsrf] + ([resume_session_id] if resume_session_id else [])
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.ws = await websockets.connect(
            uri, subprotocols=protocols, additional_headers=headers, max_size=None, open_timeout=timeout
        )
        self._reader = asyncio.create_task(self._read_loop(), name=f"{self.name}-reader")
        if initial_rerun:
            await self.rerun(wait=True, timeout=timeout)

    async def close(self) -> None:
        for _, task in self._auto_reruns.values():
            task.cancel()
        self._auto_reruns.clear()
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 5)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader

    async def __aenter__(self) -> StreamlitClient:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    # --- sending ------------------------------------------------------------------------------

    def _client_state(self, fragment_id: str = "", is_auto_rerun: bool = False) -> ClientState:
        state = ClientState()
        state.query_string = self.query_string
        state.page_script_hash = self.page_script_hash
        state.page_name = self.page_name
        if fragment_id:
            state.fragment_id = fragment_id
        state.is_auto_rerun = is_auto_rerun
        state.widget_states.widgets.extend(self.widget_states.values())
        path = self.page_name and f"/{self.page_name}"
        info = self.context_info or {
            "timezone": "Europe/Copenhagen",
            "timezone_offset": -60,
            "locale": "da-DK",
            "url": f"{self.base_url}{path}" + (f"?{self.query_string}" if self.query_string else ""),
            "is_embedded": False,
            "color_scheme": "light",
        }
        for k, v in info.items():
            setattr(state.context_info, k, v)
        return state

    async def send_backmsg(self, msg: BackMsg) -> None:
        if self.ws is None or self.closed.is_set():
            raise StreamlitError(f"{self.name}: not connected ({self.close_reason})")
        await self.ws.send(msg.SerializeToString())

    async def rerun(
        self, *, fragment_id: str = "", is_auto_rerun: bool = False, wait: bool = True, timeout: float = 30.0
    ) -> None:
        """Ask for a run with the full widget state.

        With ``wait``: until a full run begun after the request has finished, or for a fragment's
        rerun (not an auto-rerun) until a fragment run or a full run begun after it has finished.
        """
        msg = BackMsg()
        msg.rerun_script.CopyFrom(self._client_state(fragment_id, is_auto_rerun))
        # Triggers are one-shot (the frontend deletes them once sent), so an auto-rerun never clicks again.
        for wid in [w for w, s in self.widget_states.items() if s.WhichOneof("value") == "trigger_value"]:
            del self.widget_states[wid]
        full_before, fragments_before = self.full_runs_started, self.fragment_runs_started
        self.trace.append(f"{time.perf_counter():.2f} > rerun {fragment_id[:6] or 'full'}")
        await self.send_backmsg(msg)
        if wait and not fragment_id:
            await self.wait_for(lambda c: c.last_full_finished_seq > full_before, timeout)
        elif wait and not is_auto_rerun:
            await self.wait_for(
                lambda c: c.last_fragment_finished_seq > fragments_before or c.last_full_finished_seq > full_before,
                timeout,
            )

    # --- receiving ----------------------------------------------------------------------------

    async def _read_loop(self) -> None:
        try:
            async for raw in self.ws:
                if isinstance(raw, str):
                    raise StreamlitError("unexpected text frame")
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                self._handle(msg)
                self._check_waiters()
            self.close_reason = f"closed by server: {self.ws.close_code} {self.ws.close_reason}"
        except asyncio.CancelledError:
            self.close_reason = "cancelled"
            raise
        except Exception as exc:  # connection errors end the session like a closed tab
            self.close_reason = f"{type(exc).__name__}: {exc}"
        finally:
            self.closed.set()
            for _, fut in self._waiters:
                if not fut.done():
                    fut.set_exception(StreamlitError(f"{self.name}: connection closed: {self.close_reason}"))
            self._waiters.clear()

    def _check_waiters(self) -> None:
        keep = []
        for predicate, fut in self._waiters:
            if fut.done():
                continue
            try:
                ok = predicate(self)
            except Exception as exc:  # a predicate's bug goes to its waiter
                fut.set_exception(exc)
                continue
            if ok:
                fut.set_result(None)
            else:
                keep.append((predicate, fut))
        self._waiters = keep

    def _handle(self, msg: ForwardMsg) -> None:
        self.msg_count += 1
        kind = msg.WhichOneof("type")
        if kind in ("new_session", "script_finished", "auto_rerun", "stop_auto_rerun", "page_info_changed"):
            detail = {
                "new_session": lambda: "fragment" if msg.metadata.run.fragment_ids else "full",
                "script_finished": lambda: str(msg.script_finished),
                "auto_rerun": lambda: msg.auto_rerun.fragment_id[:6],
                "stop_auto_rerun": lambda: ",".join(f[:6] for f in msg.stop_auto_rerun.fragment_ids),
                "page_info_changed": lambda: msg.page_info_changed.query_string[:20],
            }[kind]()
            self.trace.append(f"{time.perf_counter():.2f} < {kind} {detail}")
        if kind == "new_session":
            new = msg.new_session
            if new.initialize.session_id:
                self.session_id = new.initialize.session_id
            self.page_script_hash = new.page_script_hash
            self.run = RunInfo(run_id=msg.metadata.run.script_run_id, fragment_ids=tuple(msg.metadata.run.fragment_ids))
            self.runs_started += 1
            if self.run.fragment_ids:
                self.fragment_runs_started += 1
            else:
                self.full_runs_started += 1
                # As the frontend (cleanupAutoReruns): a full run announces its fragments' timers anew.
                for fid in list(self._auto_reruns):
                    self._stop_auto_rerun(fid)
        elif kind == "delta":
            self._apply_delta(msg)
        elif kind == "script_finished":
            self._on_finished(msg.script_finished)
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "navigation":
            if msg.navigation.page_script_hash:
                self.page_script_hash = msg.navigation.page_script_hash
        elif kind == "auto_rerun":
            self._start_auto_rerun(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fid in msg.stop_auto_rerun.fragment_ids:
                self._stop_auto_rerun(fid)
        elif kind == "session_event":
            event = msg.session_event
            if event.WhichOneof("type") == "script_compilation_exception":
                self.exceptions.append(event.script_compilation_exception.message)
        elif kind == "ref_hash":
            # Sent only for hashes a client says it caches; this one never says so.
            self.exceptions.append(f"unexpected ref_hash {msg.ref_hash}")

    def _apply_delta(self, msg: ForwardMsg) -> None:
        path = tuple(msg.metadata.delta_path)
        delta = msg.delta
        kind = delta.WhichOneof("type")
        if kind == "new_element":
            old = self.nodes.get(path)
            if old is not None and old.kind == "block":
                self._drop_descendants(path)
            self.nodes[path] = Node("element", delta.new_element, self.run.run_id, delta.fragment_id)
            if delta.new_element.WhichOneof("type") == "exception":
                self.exceptions.append(delta.new_element.exception.message)
        elif kind == "add_block":
            old = self.nodes.get(path)
            if old is None or old.kind != "block" or old.proto.WhichOneof("type") != delta.add_block.WhichOneof("type"):
                self._drop_descendants(path)
            self.nodes[path] = Node("block", delta.add_block, self.run.run_id, delta.fragment_id)

    def _drop_descendants(self, path: tuple[int, ...]) -> None:
        n = len(path)
        for p in [p for p in self.nodes if len(p) > n and p[:n] == path]:
            del self.nodes[p]

    def _on_finished(self, status: int) -> None:
        run = self.run
        run.finished, run.status = True, status
        if status in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR):
            self.full_runs_finished += 1
            self.last_full_finished_seq = self.full_runs_started
            if status == ForwardMsg.FINISHED_SUCCESSFULLY:
                # As the frontend: what this run did not send again is stale, and so are its widgets' states.
                for p in [p for p, n in self.nodes.items() if n.run_id != run.run_id]:
                    del self.nodes[p]
                live = {w.id for w in self.widgets()}
                for wid in [w for w in self.widget_states if w not in live]:
                    del self.widget_states[wid]
        elif status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
            self.fragment_runs_finished += 1
            self.last_fragment_finished_seq = self.fragment_runs_started
            ids = set(run.fragment_ids)
            for p in [p for p, n in self.nodes.items() if n.fragment_id in ids and n.run_id != run.run_id]:
                del self.nodes[p]
        # FINISHED_EARLY_FOR_RERUN: keep everything; the next run replaces it.

    # --- fragment auto-reruns ----------------------------------------------------------------

    def _start_auto_rerun(self, fragment_id: str, interval: float) -> None:
        if not self.auto_rerun_fragments or not fragment_id:
            return
        current = self._auto_reruns.get(fragment_id)
        if current and current[0] == interval:
            return  # the frontend ignores a repeated announcement too
        self._stop_auto_rerun(fragment_id)
        task = asyncio.create_task(self._auto_rerun_loop(fragment_id, interval))
        self._auto_reruns[fragment_id] = (interval, task)

    def _stop_auto_rerun(self, fragment_id: str) -> None:
        current = self._auto_reruns.pop(fragment_id, None)
        if current:
            current[1].cancel()

    async def _auto_rerun_loop(self, fragment_id: str, interval: float) -> None:
        with contextlib.suppress(asyncio.CancelledError, StreamlitError, websockets.ConnectionClosed):
            while not self.closed.is_set():
                await asyncio.sleep(interval)
                await self.rerun(fragment_id=fragment_id, is_auto_rerun=True, wait=False)

    # --- waiting and reading -----------------------------------------------------------------

    async def wait_for(self, predicate: Callable[[StreamlitClient], bool], timeout: float = 30.0) -> None:
        """Until ``predicate(self)`` is true; ``TimeoutError`` after ``timeout`` seconds."""
        if predicate(self):
            return
        if self.closed.is_set():
            raise StreamlitError(f"{self.name}: connection closed: {self.close_reason}")
        fut = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, fut))
        try:
            await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            raise TimeoutError(f"{self.name}: condition not met within {timeout}s") from None

    async def wait_for_text(self, needle: str, timeout: float = 30.0) -> str:
        await self.wait_for(lambda c: any(needle in t for t in c.texts()), timeout)
        return next(t for t in self.texts() if needle in t)

    def elements(self) -> list[tuple[tuple[int, ...], Any]]:
        return [(p, n.proto) for p, n in sorted(self.nodes.items()) if n.kind == "element"]

    def _fragment_of(self, path: tuple[int, ...]) -> str:
        """The fragment a node belongs to: its own delta's, or the nearest enclosing block's."""
        for end in range(len(path), 0, -1):
            node = self.nodes.get(path[:end])
            if node is not None and node.fragment_id:
                return node.fragment_id
        return ""

    def texts(self, *, run_id: str | None = None) -> list[str]:
        """The visible texts, in page order (only those sent by run ``run_id`` when given)."""
        out = []
        for _, node in sorted(self.nodes.items()):
            if node.kind != "element" or (run_id is not None and node.run_id != run_id):
                continue
            kind = node.proto.WhichOneof("type")
            name = TEXT_FIELDS.get(kind)
            if name:
                out.append(getattr(getattr(node.proto, kind), name))
        return out

    def widgets(self) -> list[Widget]:
        out = []
        for path, element in self.elements():
            kind = element.WhichOneof("type")
            sub = getattr(element, kind) if kind else None
            wid = getattr(sub, "id", None) if sub is not None else None
            if isinstance(wid, str) and wid.startswith(WIDGET_ID_PREFIX):
                out.append(Widget(wid, user_key_from_widget_id(wid), kind, sub, path, self._fragment_of(path)))
        return out

    def find_widget(self, key: str | None = None, *, label: str | None = None) -> Widget | None:
        for w in self.widgets():
            if (key is not None and w.key == key) or (label is not None and w.label == label):
                return w
        return None

    def widget(self, key: str | None = None, *, label: str | None = None) -> Widget:
        found = self.find_widget(key, label=label)
        if found is None:
            have = [(w.key, w.type, w.label) for w in self.widgets()]
            raise KeyError(f"{self.name}: no widget key={key!r} label={label!r}; have {have}")
        return found

    # --- acting -------------------------------------------------------------------------------

    def make_state(self, w: Widget, value: Any) -> WidgetState:
        """The ``WidgetState`` a browser would send for ``value`` (an option's index or label for choices)."""
        state = WidgetState(id=w.id)
        if w.type in ("text_input", "text_area", "color_picker", "date_input", "time_input"):
            state.string_value = str(value)
        elif w.type in ("radio", "selectbox"):
            # Since 1.5x the value is the formatted option label, not its index.
            state.string_value = w.proto.options[value] if isinstance(value, int) else str(value)
        elif w.type == "checkbox":
            state.bool_value = bool(value)
        elif w.type == "number_input":
            if w.proto.data_type == w.proto.INT:
                state.int_value = int(value)
            else:
                state.double_value = float(value)
        elif w.type == "slider":
            values = value if isinstance(value, list | tuple) else [value]
            state.double_array_value.data.extend(float(v) for v in values)
        elif w.type == "multiselect":
            state.string_array_value.data.extend(w.proto.options[v] if isinstance(v, int) else str(v) for v in value)
        else:
            raise NotImplementedError(f"set_widget for {w.type}")
        return state

    def stage(self, w: Widget, value: Any) -> None:
        """Set a widget inside a form; it is sent when the form's submit button is clicked."""
        self.form_states.setdefault(w.form_id, {})[w.id] = self.make_state(w, value)

    async def set_widget(self, key: str, value: Any, *, wait: bool = True, timeout: float = 30.0) -> None:
        """Change a widget as a person would: outside a form this reruns; inside, it is staged for the submit."""
        w = self.widget(key)
        if w.form_id:
            self.stage(w, value)
            return
        self.widget_states[w.id] = self.make_state(w, value)
        await self.rerun(fragment_id=w.fragment_id, wait=wait, timeout=timeout)

    async def click_button(
        self, key: str | None = None, *, label: str | None = None, wait: bool = True, timeout: float = 30.0
    ) -> None:
        """Press ``st.button`` or ``st.form_submit_button`` (which sends the form's staged values with it)."""
        w = self.widget(key, label=label)
        if w.type != "button":
            raise StreamlitError(f"{self.name}: {key or label!r} is a {w.type}, not a button")
        if w.proto.is_form_submitter:
            self.widget_states.update(self.form_states.pop(w.form_id, {}))
        self.widget_states[w.id] = WidgetState(id=w.id, trigger_value=True)
        await self.rerun(fragment_id=w.fragment_id, wait=wait, timeout=timeout)  # rerun() drops the trigger
