"""What every HTTP response of the app carries, set by the app itself so it holds without a proxy.

One pure-ASGI middleware on the ``st.App`` (websockets pass straight through):

* **Security headers** on every response: a Content-Security-Policy (:data:`CSP`, each relaxation
  with its reason), ``X-Content-Type-Options``, ``Referrer-Policy``, ``X-Frame-Options`` and
  ``frame-ancestors``, ``Permissions-Policy``, and ``Strict-Transport-Security`` when the browser
  used https (directly or via a trusted proxy, :mod:`quiz.ui.server.proxy`).
* **Compression** (brotli, else gzip) of every compressible response. Streamlit 1.67 serves its
  static bundle uncompressed on purpose, because compressing on every request costs CPU at each
  hit; here a hashed, ``immutable`` file is compressed once per process and kept
  (:class:`CompressedCache`), so a room of phones joining at once costs one compression per file.
  Small dynamic responses are compressed each time at a fast level.
* **The page's language**: Streamlit's ``index.html`` says ``lang="en"``; it is rewritten to the
  language in the ``hv_lang`` cookie when :func:`quiz.i18n.languages` knows it, else Danish, so
  screen readers pronounce the page right. Its ``<title>`` and favicon become the app's own, and it
  links the accessibility styles (``/hv-assets/a11y.css``) once, instead of every page run sending them.
* **Closed doors**: Streamlit's ``/_stcore/metrics`` (its internal counters) answers 404 to
  everyone; ``/healthz`` is the operator's check.
* **Private downloads** (:mod:`quiz.ui.server.private_media`): a ``/media/`` file registered as
  made for one account is sent only to a request whose sign-in cookie is that account's, else
  404; every ``/media/`` answer says ``Cache-Control: no-store`` when it is private.
* **The live room's lean pages** (``lean``: the phone's and the stage's routes, :mod:`quiz.ui.web`)
  are answered here, with the headers and compression above, without passing through Streamlit's
  own middleware (its cookie session, its gzip layer, its path checks), which they do not use:
  in a room of 2,000 phones every answer and every pushed message would pay for them.
* **Bundled files** of ``quiz/ui/assets`` at ``/hv-assets/NAME``: the favicon (also answering
  Streamlit's ``/favicon.png``, so no icon is fetched from elsewhere) and ``redirect.js``, the
  same-site redirect of quiz.ui.session as a file of our own, so scripts need no 'unsafe-inline'.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import json
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from html import escape
from pathlib import Path

import anyio
from starlette.concurrency import run_in_threadpool

from quiz import i18n, settings
from quiz.people import auth
from quiz.people.cookies import SESSION_COOKIE
from quiz.store import open_db
from quiz.ui.server import private_media, proxy

log = logging.getLogger(__name__)

ASSETS = Path(__file__).resolve().parents[1] / "assets"
FAVICON_PNG = ASSETS / "favicon.png"
FAVICON_SVG = ASSETS / "favicon.svg"
ASSET_PATH = "/hv-assets/"  # the bundled files of quiz/ui/assets, served by the middleware itself
ASSET_TYPES = {
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
# The accessibility styles (quiz.ui.a11y), linked from index.html: versioned by content, so a
# browser holding the file for a day still gets a changed one at once.
STYLESHEET = ASSETS / "a11y.css"
STYLESHEET_URL = f"{ASSET_PATH}a11y.css?v={hashlib.sha256(STYLESHEET.read_bytes()).hexdigest()[:12]}"
STYLESHEET_LINK = f'<link rel="stylesheet" href="{STYLESHEET_URL}">'.encode()
# Streamlit's own words in the reader's language and the phone's menu that closes (quiz/ui/assets/page.js).
PAGE_SCRIPT = ASSETS / "page.js"
PAGE_SCRIPT_URL = f"{ASSET_PATH}page.js?v={hashlib.sha256(PAGE_SCRIPT.read_bytes()).hexdigest()[:12]}"
# Streamlit 1.67's redacted error (streamlit/elements/exception.py); tests/test_serving.py checks it.
STREAMLIT_ERROR_TEXT = (
    "This app has encountered an error. The original error message is redacted to prevent data leaks. Full error "
    "details have been recorded in the logs (if you're on Streamlit Cloud, click on 'Manage app' in the lower right "
    "of your app)."
)
# Streamlit's fixed English texts (its bundled script) -> the catalogue key of ours.
STREAMLIT_WORDS = {
    "Skip to main content": "streamlit.skip_to_content",
    "Select all": "streamlit.select_all",
    "Select {n} matches": "streamlit.select_matches",
    "Collapse sidebar": "streamlit.collapse_sidebar",
    "Expand sidebar": "streamlit.expand_sidebar",
    "Main menu": "streamlit.main_menu",
    "App pages": "streamlit.app_pages",
    "Sidebar": "streamlit.sidebar",
    "Close": "streamlit.close",
    # The file uploader's hidden <input type="file">: what a screen reader names it.
    "file upload": "streamlit.file_upload",
    # A file over server.maxUploadSize, refused in the browser before it is sent.
    "File must be {n}MB or smaller.": "streamlit.file_too_big",
    # What a page shows for an unexpected error (client.showErrorDetails = "none"): no traceback,
    # and in the reader's language; the details are in the server's log.
    STREAMLIT_ERROR_TEXT: "streamlit.error_redacted",
}
LANG_COOKIE = "hv_lang"
TITLE = "Hvidovrevejen"

try:
    import brotli
except ImportError:  # gzip only; brotli is a dependency, but the app must not die without it
    brotli = None

_COMPRESSIBLE = re.compile(
    r"^(text/|application/(javascript|json|xml|wasm|manifest\+json|x-javascript)|image/svg\+xml|font/(ttf|otf)"
    r"|application/(x-font-ttf|vnd\.ms-fontobject))"
)
MIN_SIZE = 512  # below this the headers outweigh what compression saves
MAX_BUFFER = 16 * 2**20  # larger responses (big downloads) stream through as they are
CACHE_BYTES = 96 * 2**20
# Brotli's best level (11) shrinks Streamlit's bundles ~8 % more than 9 but takes ~6x longer
# (1.3 s for index.js, 17 s for the Plotly chunk): it is used for the files index.html loads (made
# in the background at start-up, :func:`warm_up`) and for smaller files; 9 for the big rest.
FAST_BROTLI, CACHED_BROTLI, BEST_BROTLI = 4, 9, 11
BEST_UP_TO = 256 * 1024
FAST_GZIP, CACHED_GZIP = 5, 9


def _static_index() -> Path | None:
    try:
        # Deferred: a guarded Streamlit internal (docs/operations.md); a missing one is caught below.
        from streamlit import file_util

        index = Path(file_util.get_static_dir()) / "index.html"
        return index if index.is_file() else None
    except Exception:  # a Streamlit without this helper: no inline-script hashes, scripts still load
        log.warning("Streamlit's static folder not found; the CSP allows no inline script", exc_info=True)
        return None


def inline_script_hashes(html: str) -> list[str]:
    """CSP source expressions for each inline ``<script>`` of ``html``, so they run without 'unsafe-inline'."""
    hashes = []
    for body in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.S):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    return hashes


def build_csp() -> str:
    """The Content-Security-Policy: only this origin, with Streamlit's measured needs (reasons inline)."""
    index = _static_index()
    hashes = inline_script_hashes(index.read_text(encoding="utf-8")) if index else []
    directives = {
        "default-src": ["'self'"],
        # index.html's one inline script (window.prerenderReady) by its hash; no 'unsafe-inline'.
        # 'wasm-unsafe-eval' (WebAssembly only, not JavaScript's eval): Streamlit's message decoder
        # (static/js/protobuf.*.js) compiles WebAssembly; measured by tests/e2e/test_no_third_parties.py.
        "script-src": ["'self'", "'wasm-unsafe-eval'", *hashes],
        # Streamlit styles everything with emotion, which inserts <style> elements at run time, and
        # st.html's <style> (app.py) is inline too: styles cannot be limited further.
        "style-src": ["'self'", "'unsafe-inline'"],
        # The favicon is a data: URL (no request); st.image / QR codes come from /media; charts and
        # downloads make blob: URLs.
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        # The websocket (/_stcore/stream) to this origin: CSP Level 3 'self' covers ws:/wss: too.
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        # Nobody may frame the app (clickjacking of the sign-in and HR pages).
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


# Content types a browser never renders as a page: the policy headers below do nothing on them, and
# on a phone's first visit (~90 responses over HTTP/1.1, where headers are not compressed) they
# would cost ~50 KB. Everything else (HTML, SVG, XML, JSON, text, downloads) gets all of them.
_SUBRESOURCE = re.compile(r"^(text/css|(text|application)/javascript|font/|image/(png|jpeg|gif|webp|avif|x-icon))")


def security_headers(*, https: bool, csp: str, document: bool = True) -> list[tuple[bytes, bytes]]:
    """The headers every response gets; the page policies only where a browser could render a page."""
    headers = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]
    if document:
        headers += [
            (b"content-security-policy", csp.encode()),
            (b"x-frame-options", b"DENY"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
    if https:
        # A year, and not includeSubDomains: other hosts of the municipality's domain are not ours.
        headers.append((b"strict-transport-security", b"max-age=31536000"))
    return headers


def is_document(content_type: bytes | str) -> bool:
    """Whether a response of this type could be shown as a page (so page policies apply to it)."""
    kind = content_type.decode("latin-1") if isinstance(content_type, bytes) else content_type
    return not _SUBRESOURCE.match(kind.strip().lower())


def accepted_encoding(accept_encoding: str) -> str | None:
    """``br`` or ``gzip`` when the browser accepts it (``q=0`` refuses), brotli first."""
    offered = {}
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        offered[name.strip()] = q
    if brotli is not None and offered.get("br", 0) > 0:
        return "br"
    if offered.get("gzip", 0) > 0:
        return "gzip"
    return None


def compress(body: bytes, encoding: str, *, cached: bool, best: bool = False) -> bytes:
    """``body`` compressed: fast for a one-off response, harder for one that is kept (``cached``)."""
    if encoding == "br":
        if not cached:
            quality = FAST_BROTLI
        else:
            quality = BEST_BROTLI if best or len(body) <= BEST_UP_TO else CACHED_BROTLI
        return brotli.compress(body, quality=quality)
    return gzip.compress(body, compresslevel=CACHED_GZIP if cached else FAST_GZIP, mtime=0)


def static_key(path: str, encoding: str, size: int) -> tuple:
    """The cache key of a hashed static file: its path from ``/static/`` on (any base URL path cut off)."""
    at = path.rfind("/static/")
    return (path[at:] if at >= 0 else path, encoding, size)


def warm_up(cache: CompressedCache, static_dir: Path | None = None) -> int:
    """Compress, at the best level, the scripts and styles Streamlit's index.html loads; returns how many.

    Runs in a background thread at start-up, so the first phones of a session get small files
    without waiting for brotli; a request for a file being compressed waits for that work.
    """
    index = (static_dir / "index.html") if static_dir else _static_index()
    if index is None or not index.is_file():
        return 0
    root = index.parent
    done = 0
    for ref in re.findall(r'(?:src|href)="\./(static/[^"]+\.(?:js|css))"', index.read_text(encoding="utf-8")):
        file = root / ref
        if not file.is_file():
            continue
        body = file.read_bytes()
        for encoding in ("br", "gzip") if brotli is not None else ("gzip",):
            cache.get_or_make(
                static_key("/" + ref, encoding, len(body)),
                functools.partial(compress, body, encoding, cached=True, best=True),
            )
        done += 1
    return done


class CompressedCache:
    """Compressed bodies of immutable files, once per process, bounded in bytes (least recently used out)."""

    def __init__(self, limit: int = CACHE_BYTES) -> None:
        self.limit = limit
        self._items: OrderedDict[tuple, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._busy: dict[tuple, threading.Event] = {}

    def get_or_make(self, key: tuple, make: Callable[[], bytes]) -> bytes:
        while True:
            with self._lock:
                if key in self._items:
                    self._items.move_to_end(key)
                    return self._items[key]
                waiting = self._busy.get(key)
                if waiting is None:
                    self._busy[key] = threading.Event()
                    break
            waiting.wait()  # another request compresses this file right now: share its work
        try:
            value = make()
            with self._lock:
                self._items[key] = value
                self._size += len(value)
                while self._size > self.limit and len(self._items) > 1:
                    _, old = self._items.popitem(last=False)
                    self._size -= len(old)
            return value
        finally:
            with self._lock:
                self._busy.pop(key).set()


def rewrite_index(html: bytes, lang: str) -> bytes:
    """Streamlit's index.html with the person's language, the app's title and its styles.

    The stylesheet goes last in ``<body>``: after the styles Streamlit's components put in
    ``<head>``, so its rules win a tie, as the style element they replace did.
    """
    text = html.decode("utf-8")
    text = re.sub(r'<html lang="[^"]*"', f'<html lang="{lang}"', text, count=1)
    text = text.replace("<title>Streamlit</title>", f"<title>{TITLE}</title>", 1)
    words = json.dumps({en: i18n.t(key, lang=lang) for en, key in STREAMLIT_WORDS.items()}, ensure_ascii=False)
    script = f'<script src="{PAGE_SCRIPT_URL}" data-words="{escape(words, quote=True)}" defer></script>'
    text = text.replace("</body>", script + STYLESHEET_LINK.decode() + "</body>", 1)
    return text.encode("utf-8")


@functools.cache
def index_links_stylesheet() -> bool:
    """Whether the index.html Streamlit serves has the ``</body>`` the stylesheet link goes before.

    Read once per process. False (with a warning) for a Streamlit whose page has none: the pages
    then send the styles on every run (quiz.ui.a11y.inject), so nothing looks different.
    """
    index = _static_index()
    try:
        found = index is not None and "</body>" in index.read_text(encoding="utf-8")
    except OSError:
        found = False
    if not found:
        log.warning("Streamlit's index.html has no </body>: the accessibility styles go with every page run")
    return found


def page_language(cookie_header: str) -> str:
    """The language of the ``hv_lang`` cookie when the catalogue has it, else the source language (da)."""
    for part in cookie_header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == LANG_COOKIE:
            value = value.strip().strip('"')
            try:
                known = i18n.languages()
            except Exception:  # a broken catalogue must not break every page: Danish
                log.warning("Could not list the catalogue's languages", exc_info=True)
                known = {}
            return value if value in known else i18n.SOURCE_LANGUAGE
    return i18n.SOURCE_LANGUAGE


Send = Callable[[dict], Awaitable[None]]


class ServingMiddleware:
    """Security headers, compression and the page's language on every HTTP response (module docstring)."""

    def __init__(
        self,
        app,
        *,
        cache: CompressedCache | None = None,
        csp: str | None = None,
        warm: bool = True,
        lean: Callable | None = None,
        lean_paths: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.lean = lean
        self.lean_paths = lean_paths  # an exact path, or a prefix when it ends with "/"
        self.cache = cache or CompressedCache()
        self.csp = csp or build_csp()
        self._assets = {
            file.name: (file.read_bytes(), ASSET_TYPES[file.suffix])
            for file in ASSETS.iterdir()
            if file.suffix in ASSET_TYPES
        }
        if warm:
            threading.Thread(target=self._warm_up, name="compress-static", daemon=True).start()

    def _warm_up(self) -> None:
        try:
            warm_up(self.cache)
        except Exception:  # files are then compressed when first asked for
            log.warning("Could not compress Streamlit's static files in advance", exc_info=True)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _request_headers(scope)
        peer = scope["client"][0] if scope.get("client") else None
        https = proxy.is_https(peer, headers, scope.get("scheme"), settings.current().trusted_proxies)
        path = scope.get("path", "")
        if scope["method"] in ("GET", "HEAD") and (asset := self._asset(path)) is not None:
            await self._send_asset(scope, send, asset, https=https)
            return
        if _is_closed(path):
            await _send_not_found(send, security_headers(https=https, csp=self.csp))
            return
        if "/media/" in path and scope["method"] in ("GET", "HEAD"):
            await self._media(scope, receive, send, headers, https=https)
            return
        encoding = (
            None
            if scope["method"] != "GET" or "range" in headers
            else accepted_encoding(headers.get("accept-encoding", ""))
        )
        lang = page_language(headers.get("cookie", ""))
        responder = _Responder(self, send, https=https, encoding=encoding, lang=lang, path=path)
        # Compression is done here only: Streamlit's own gzip layer (pages other than "/", its API)
        # would otherwise hide index.html from the language rewrite and answer gzip where brotli fits.
        inner = {**scope, "headers": [(k, v) for k, v in scope.get("headers", ()) if k.lower() != b"accept-encoding"]}
        await (self.lean if self.lean is not None and self._is_lean(path) else self.app)(inner, receive, responder)
        await responder.finish()

    def _is_lean(self, path: str) -> bool:
        return any(path == p or (p.endswith("/") and path.startswith(p)) for p in self.lean_paths)

    async def _media(self, scope, receive, send, headers: dict[str, str], *, https: bool) -> None:
        """A ``/media/`` file, held whole to see whether it is private, and then whose (module docstring)."""
        # Always the whole file (no Range, no HEAD shortcut), so its bytes can be matched.
        inner = {
            **scope,
            "method": "GET",
            "headers": [(k, v) for k, v in scope.get("headers", ()) if k.lower() not in (b"range", b"accept-encoding")],
        }
        held = _Held()
        await self.app(inner, receive, held)
        if held.start is None:
            return
        body = b"".join(held.chunks)
        people = private_media.owners(body) if held.start.get("status") == 200 else None
        if people is not None:
            token = _cookie(headers.get("cookie", ""), SESSION_COOKIE)
            who = await run_in_threadpool(_signed_in_user_id, token)
            if who is None or who not in people:
                await _send_not_found(send, security_headers(https=https, csp=self.csp))
                return
        start_headers = [(k, v) for k, v in held.start.get("headers", []) if k.lower() not in _OURS]
        if people is not None:
            start_headers = [(k, v) for k, v in start_headers if k.lower() not in (b"cache-control", b"content-length")]
            start_headers += [(b"cache-control", b"no-store"), (b"content-length", str(len(body)).encode())]
        content_type = next((v for k, v in start_headers if k.lower() == b"content-type"), b"")
        start_headers += security_headers(https=https, csp=self.csp, document=is_document(content_type))
        await send({**held.start, "headers": start_headers})
        await send({"type": "http.response.body", "body": body if scope["method"] == "GET" else b""})

    def _asset(self, path: str) -> tuple[bytes, str] | None:
        """A bundled file of quiz/ui/assets for ``/hv-assets/NAME`` (and Streamlit's ``/favicon.png``)."""
        if path.endswith("/favicon.png"):
            name = "favicon.png"
        elif path.startswith(ASSET_PATH):
            name = path[len(ASSET_PATH) :]
        else:
            return None
        if name not in self._assets:
            return None
        return self._assets[name]

    async def _send_asset(self, scope, send, asset: tuple[bytes, str], *, https: bool) -> None:
        body, kind = asset
        head = [
            (b"content-type", kind.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"public, max-age=86400"),
            *security_headers(https=https, csp=self.csp, document=is_document(kind)),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": head})
        await send({"type": "http.response.body", "body": body if scope["method"] == "GET" else b""})


# Streamlit's own endpoints that must not answer strangers: its metrics tell who uses the app how much.
_CLOSED = ("/_stcore/metrics",)


def _is_closed(path: str) -> bool:
    return any(path.endswith(end) or path.endswith(end + "/") for end in _CLOSED)


async def _send_not_found(send: Send, extra: list[tuple[bytes, bytes]]) -> None:
    body = b"Not found"
    head = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        *extra,
    ]
    await send({"type": "http.response.start", "status": 404, "headers": head})
    await send({"type": "http.response.body", "body": body})


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value.strip().strip('"') or None
    return None


def _signed_in_user_id(token: str | None) -> int | None:
    """The account of a sign-in cookie, read from progress.db (any process may have made it)."""
    if not token:
        return None
    db = open_db(migrate=False)
    try:
        user = auth.user_for_session(db, token)
    finally:
        db.close()
    return user.id if user is not None else None


class _Held:
    """A ``send`` that keeps a whole response, to decide about it before anything goes out."""

    def __init__(self) -> None:
        self.start: dict | None = None
        self.chunks: list[bytes] = []

    async def __call__(self, message: dict) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))


def _request_headers(scope) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in scope.get("headers", ()):
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        # Repeated headers are one comma-separated list (RFC 9110 5.3); cookies are joined by "; ".
        if key in found:
            found[key] += ("; " if key == "cookie" else ", ") + text
        else:
            found[key] = text
    return found


class _Responder:
    """The ``send`` handed to the app: adds headers, and holds a compressible body back to rewrite it."""

    def __init__(self, owner: ServingMiddleware, send: Send, *, https: bool, encoding, lang: str, path: str) -> None:
        self.owner = owner
        self.send = send
        self.https = https
        self.encoding = encoding
        self.lang = lang
        self.path = path
        self.start: dict | None = None
        self.holding = False
        self.chunks: list[bytes] = []
        self.size = 0
        self.done = False

    async def __call__(self, message: dict) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            self.start = message
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _OURS]
            content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
            extra = security_headers(https=self.https, csp=self.owner.csp, document=is_document(content_type))
            message["headers"] = headers + extra
            self.holding = self._worth_holding(message)
            if not self.holding:
                await self.send(message)
            return
        if kind != "http.response.body" or not self.holding:
            await self.send(message)
            return
        self.chunks.append(message.get("body", b""))
        self.size += len(self.chunks[-1])
        if self.size > MAX_BUFFER:  # too big to hold: let it go as it is
            self.holding = False
            assert self.start is not None  # holding: the start came first
            await self.send(self.start)
            await self.send({"type": "http.response.body", "body": b"".join(self.chunks), "more_body": True})
            self.chunks = []
            if not message.get("more_body", False):
                await self.send({"type": "http.response.body", "body": b""})
            return
        if not message.get("more_body", False):
            await self._release()

    def _worth_holding(self, start: dict) -> bool:
        if start.get("status") != 200:
            return False
        headers = {k.lower(): v for k, v in start["headers"]}
        if b"content-encoding" in headers or b"content-range" in headers:
            return False
        kind = headers.get(b"content-type", b"").decode("latin-1").lower()
        if kind.startswith("text/event-stream"):
            return False  # a stream: every event must go out as it comes
        if kind.startswith("text/html"):
            return True  # index.html gets its language, compressed or not
        return self.encoding is not None and bool(_COMPRESSIBLE.match(kind))

    async def _release(self) -> None:
        self.done = True
        start = self.start
        assert start is not None  # holding: the start came first
        body = b"".join(self.chunks)
        original = {k.lower(): v for k, v in start["headers"]}
        immutable = b"immutable" in original.get(b"cache-control", b"")
        # A compressed body cannot serve byte ranges; an immutable file is never revalidated by date.
        dropped = {b"content-length", b"etag", b"accept-ranges", *((b"last-modified",) if immutable else ())}
        headers = [(k, v) for k, v in start["headers"] if k.lower() not in dropped]
        etag = original.get(b"etag")
        kind = original.get(b"content-type", b"").decode("latin-1").lower()
        if kind.startswith("text/html") and b'<html lang="' in body[:2048]:
            body = rewrite_index(body, self.lang)
            etag = None  # the body is no longer the file's
        encoding = self.encoding if len(body) >= MIN_SIZE and _COMPRESSIBLE.match(kind) else None
        if encoding is not None:
            body = await self._compressed(body, encoding, immutable=immutable)
            headers.append((b"content-encoding", encoding.encode()))
            if not any(k.lower() == b"vary" and b"accept-encoding" in v.lower() for k, v in headers):
                headers.append((b"vary", b"Accept-Encoding"))
        if etag is not None:
            # Another representation of the same file: a weak validator, as nginx does.
            headers.append((b"etag", etag if etag.startswith(b"W/") else b"W/" + etag))
        headers.append((b"content-length", str(len(body)).encode()))
        await self.send({**start, "headers": headers})
        await self.send({"type": "http.response.body", "body": body})

    async def _compressed(self, body: bytes, encoding: str, *, immutable: bool) -> bytes:
        if not immutable:
            if len(body) < 64 * 1024:
                return compress(body, encoding, cached=False)
            return await anyio.to_thread.run_sync(functools.partial(compress, body, encoding, cached=False))
        key = static_key(self.path, encoding, len(body))
        make = functools.partial(compress, body, encoding, cached=True)
        return await anyio.to_thread.run_sync(self.owner.cache.get_or_make, key, make)

    async def finish(self) -> None:
        """The app returned without ending a held body (it should not): send what was held."""
        if self.holding and not self.done and self.start is not None:
            await self._release()


_OURS = {
    b"content-security-policy",
    b"x-content-type-options",
    b"referrer-policy",
    b"x-frame-options",
    b"permissions-policy",
    b"cross-origin-opener-policy",
    b"strict-transport-security",
}
