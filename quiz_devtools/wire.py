"""What a phone's first visit costs on the wire: every request a cold Chromium makes for a page.

``join_bytes_cold``: the bytes of all HTTP responses (headers and body as transferred, so after
compression) for a phone with an empty cache that opens ``/deltag`` and waits until the join form
is shown. Measured with Debian's Chromium over the DevTools protocol (Playwright's CDP session),
which counts exactly what came over the socket (``encodedDataLength``); the websocket's frames are
reported beside it (``ws_bytes``), not in it. Also lists every request's address, so a test can
check that nothing went to another host (tests/e2e/test_no_third_parties.py).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from quiz_devtools.loadtest.server import AppServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# A Danish phone: the app follows the browser's language, and the join button is found by its Danish name.
PHONE = {
    "locale": "da-DK",
    "viewport": {"width": 375, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


@dataclass
class Traffic:
    """What one page load fetched, from Chromium's own accounting."""

    responses: int = 0
    http_bytes: int = 0
    ws_bytes: int = 0
    encodings: dict[str, int] = field(default_factory=dict)
    urls: list[str] = field(default_factory=list)
    largest: list[tuple[int, str]] = field(default_factory=list)

    def report(self) -> dict:
        return {
            "join_bytes_cold": self.http_bytes,
            "join_mib_cold": round(self.http_bytes / 2**20, 3),
            "responses": self.responses,
            "ws_bytes": self.ws_bytes,
            "content_encodings": dict(sorted(self.encodings.items())),
            "largest": [{"bytes": n, "path": p} for n, p in sorted(self.largest, reverse=True)[:5]],
        }


def record(page) -> Traffic:
    """Start counting the network traffic of Playwright ``page`` (call before navigating)."""
    traffic = Traffic()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    pending: dict[str, dict] = {}

    def on_response(event):
        response = event["response"]
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        pending[event["requestId"]] = {"url": response["url"], "encoding": headers.get("content-encoding", "none")}

    def on_finished(event):
        info = pending.pop(event["requestId"], None)
        if info is None:
            return
        size = int(event.get("encodedDataLength", 0))
        traffic.responses += 1
        traffic.http_bytes += size
        traffic.encodings[info["encoding"]] = traffic.encodings.get(info["encoding"], 0) + 1
        traffic.largest.append((size, urlsplit(info["url"]).path))

    def on_request(event):
        traffic.urls.append(event["request"]["url"])

    def on_ws(event):
        traffic.ws_bytes += len(event["response"].get("payloadData", ""))

    cdp.on("Network.requestWillBeSent", on_request)
    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    cdp.on("Network.webSocketFrameReceived", on_ws)
    return traffic


def measure_cold_join(base_url: str, *, timeout_s: float = 60.0) -> dict:
    """Open ``/deltag`` in a cold phone-sized Chromium against ``base_url``; the traffic report."""
    # Deferred: Playwright is a test dependency; only this measurement starts a browser.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(**PHONE)
            page = context.new_page()
            traffic = record(page)
            began = time.perf_counter()
            page.goto(f"{base_url}/deltag", wait_until="load", timeout=timeout_s * 1000)
            page.get_by_role("button", name="Deltag").first.wait_for(timeout=timeout_s * 1000)
            page.wait_for_load_state("networkidle", timeout=timeout_s * 1000)
            shown_s = time.perf_counter() - began
            context.close()
        finally:
            browser.close()
    report = traffic.report()
    report["form_shown_s"] = round(shown_s, 2)
    return report


def cold_join_bytes(*, db_path: str | Path | None = None) -> dict:
    """Start the app on a free loopback port and measure a cold join; ``{"error": ...}`` without Chromium."""
    if not os.path.exists(CHROMIUM):
        return {"join_bytes_cold": None, "error": f"Chromium not found at {CHROMIUM}"}
    with tempfile.TemporaryDirectory(prefix="quiz-wire-") as tmp:
        path = Path(db_path) if db_path else Path(tmp) / "progress.db"
        with AppServer(path, log_path=Path(tmp) / "server.log") as server:
            return measure_cold_join(server.url)


if __name__ == "__main__":  # python -m quiz_devtools.wire [URL]
    import json
    import sys

    print(json.dumps(measure_cold_join(sys.argv[1]) if len(sys.argv) > 1 else cold_join_bytes(), indent=2))
