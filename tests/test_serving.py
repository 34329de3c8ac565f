"""What every response of the app carries: security headers, compression, the page's language, the favicon.

Drives quiz.ui.server.middleware over a small Starlette app that answers like Streamlit's static files do
(an index.html with lang="en", a hashed immutable bundle), through Starlette's TestClient.
"""

from __future__ import annotations

import html
import threading
import tomllib

import brotli
import pytest
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from quiz.ui.server import middleware
from quiz.ui.server.middleware import CompressedCache, ServingMiddleware

INDEX = (
    '<!--\n licence text\n-->\n<!DOCTYPE html>\n<html lang="en">\n<head><title>Streamlit</title>'
    "<script>\n      window.prerenderReady = false\n    </script></head><body></body></html>\n" + " " * 2000
)
BUNDLE = ("function streamlit(){return 'Hvidovrevejen';}\n" * 400).encode()


def make_client(*, cache: CompressedCache | None = None, big: bytes = b"", peer: str = "127.0.0.1") -> TestClient:
    async def index(request):
        return Response(INDEX, media_type="text/html; charset=utf-8", headers={"cache-control": "no-cache"})

    async def bundle(request):
        headers = {"cache-control": "public, immutable, max-age=31536000", "etag": '"abc"', "accept-ranges": "bytes"}
        return Response(BUNDLE, media_type="application/javascript", headers=headers)

    async def download(request):
        return Response(big, media_type="text/csv")

    async def picture(request):
        return Response(b"\x89PNG" + b"\0" * 2000, media_type="image/png")

    app = Starlette(
        routes=[
            Route("/deltag", index),
            Route("/static/js/index.abc123.js", bundle),
            Route("/download.csv", download),
            Route("/media/picture.png", picture),
        ]
    )
    served = ServingMiddleware(app, cache=cache or CompressedCache(), csp=middleware.build_csp(), warm=False)
    return TestClient(served, base_url="http://127.0.0.1:8501", client=(peer, 50000))


@pytest.fixture(autouse=True)
def no_proxy_settings(monkeypatch):
    for name in ("QUIZ_TRUSTED_PROXIES", "QUIZ_SECURE_COOKIES"):
        monkeypatch.delenv(name, raising=False)


def test_every_response_says_nosniff_and_keeps_the_referrer_in_the_app():
    client = make_client()
    for path in ("/deltag", "/static/js/index.abc123.js", "/media/picture.png", "/not-there"):
        response = client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["referrer-policy"] == "same-origin", path


def test_pages_get_a_strict_content_security_policy_and_may_not_be_framed():
    response = make_client().get("/deltag")
    csp = dict(part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";"))
    assert csp["default-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert "http" not in response.headers["content-security-policy"]  # no other origin anywhere
    assert response.headers["x-frame-options"] == "DENY"


def test_the_inline_script_of_streamlits_page_is_allowed_by_its_hash_only():
    hashes = middleware.inline_script_hashes(INDEX)
    assert hashes == ["'sha256-THxz9J9+wf7rhwR2YkXJoSZ13UCmYyC+3lNDv2+8ugA='"]
    assert middleware.inline_script_hashes('<script src="./x.js"></script>') == []


def test_hsts_only_when_the_browser_used_https(monkeypatch):
    told = {"X-Forwarded-Proto": "https"}
    assert "strict-transport-security" not in make_client().get("/deltag").headers
    assert "strict-transport-security" not in make_client().get("/deltag", headers=told).headers  # nobody trusted

    monkeypatch.setenv("QUIZ_TRUSTED_PROXIES", "127.0.0.1")
    assert make_client().get("/deltag", headers=told).headers["strict-transport-security"] == "max-age=31536000"
    assert "strict-transport-security" not in make_client(peer="198.51.100.7").get("/deltag", headers=told).headers


def test_hsts_when_the_app_itself_serves_https():
    client = TestClient(make_client().app, base_url="https://hvidovrevejen.example.dk")
    assert client.get("/deltag").headers["strict-transport-security"] == "max-age=31536000"


def test_hashed_bundles_come_brotli_compressed_with_long_caching():
    response = make_client().get("/static/js/index.abc123.js", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert response.headers["content-encoding"] == "br"
    assert response.headers["cache-control"] == "public, immutable, max-age=31536000"
    assert response.headers["vary"] == "Accept-Encoding"
    assert response.headers["etag"] == 'W/"abc"'
    assert int(response.headers["content-length"]) < len(BUNDLE) / 10
    assert response.content == BUNDLE  # httpx decodes brotli


def test_a_browser_without_brotli_gets_gzip_and_one_without_either_gets_the_file():
    client = make_client()
    zipped = client.get("/static/js/index.abc123.js", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip" and zipped.content == BUNDLE
    refused = client.get("/static/js/index.abc123.js", headers={"Accept-Encoding": "br;q=0, gzip;q=0"})
    assert "content-encoding" not in refused.headers and refused.content == BUNDLE
    assert refused.headers["accept-ranges"] == "bytes"


def test_a_bundle_is_compressed_once_per_process_however_many_phones_ask():
    cache = CompressedCache()
    calls = []
    real = middleware.compress

    def counting(body, encoding, **kw):
        calls.append(encoding)
        return real(body, encoding, **kw)

    client = make_client(cache=cache)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(middleware, "compress", counting)
        threads = [
            threading.Thread(
                target=client.get, args=("/static/js/index.abc123.js",), kwargs={"headers": {"Accept-Encoding": "br"}}
            )
            for _ in range(8)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert calls == ["br"]


def test_pictures_are_not_compressed_again():
    response = make_client().get("/media/picture.png", headers={"Accept-Encoding": "br"})
    assert "content-encoding" not in response.headers


def test_a_large_download_streams_through_as_it_is(monkeypatch):
    monkeypatch.setattr(middleware, "MAX_BUFFER", 10_000)
    big = b"navn;rolle\n" * 5000
    response = make_client(big=big).get("/download.csv", headers={"Accept-Encoding": "br"})
    assert "content-encoding" not in response.headers
    assert response.content == big


def test_a_small_download_is_compressed():
    rows = b"navn;rolle;status\n" + b"Fie;medarbejder;gennemf\xc3\xb8rt\n" * 200
    response = make_client(big=rows).get("/download.csv", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.content == rows


@pytest.mark.parametrize(
    ("cookie", "lang"),
    [(None, "da"), ("hv_lang=en", "en"), ("hv_lang=da", "da"), ("hv_lang=xx", "da"), ("a=1; hv_lang=en", "en")],
)
def test_the_page_says_its_language_for_screen_readers(cookie, lang):
    client = make_client()
    if cookie:
        for part in cookie.split("; "):
            name, value = part.split("=")
            client.cookies.set(name, value)
    response = client.get("/deltag", headers={"Accept-Encoding": "br"})
    assert f'<html lang="{lang}">' in response.text
    assert "<title>Hvidovrevejen</title>" in response.text
    assert response.headers["content-encoding"] == "br"


def test_the_favicon_is_the_bundled_one():
    response = make_client().get("/favicon.png")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content == middleware.FAVICON_PNG.read_bytes()


def test_the_pages_favicon_is_the_bundled_svg_sent_as_a_data_url_so_no_icon_is_fetched():
    import base64

    from streamlit.commands.page_config import _get_favicon_string

    from quiz.ui import a11y

    app = (middleware.ASSETS.parents[2] / "app.py").read_text(encoding="utf-8")
    assert "page_icon=a11y.FAVICON" in app
    # Streamlit passes the data: URL on untouched, and it holds the bundled SVG.
    assert _get_favicon_string(a11y.FAVICON) == a11y.FAVICON
    prefix = "data:image/svg+xml;base64,"
    assert a11y.FAVICON.startswith(prefix)
    assert base64.b64decode(a11y.FAVICON[len(prefix) :]) == (middleware.ASSETS / "favicon.svg").read_bytes()


def test_warm_up_compresses_what_index_html_loads_before_anyone_asks(tmp_path):
    (tmp_path / "static" / "js").mkdir(parents=True)
    (tmp_path / "static" / "js" / "index.abc123.js").write_bytes(BUNDLE)
    (tmp_path / "index.html").write_text(
        INDEX.replace("</head>", '<script src="./static/js/index.abc123.js"></script></head>')
    )
    cache = CompressedCache()
    assert middleware.warm_up(cache, tmp_path) == 1
    made = cache.get_or_make(middleware.static_key("/static/js/index.abc123.js", "br", len(BUNDLE)), lambda: b"again")
    assert brotli.decompress(made) == BUNDLE


def test_an_event_stream_is_never_held_back():
    async def events(request):
        return Response(b"data: 1\n\n" * 200, media_type="text/event-stream")

    app = Starlette(routes=[Route("/events", events)])
    client = TestClient(ServingMiddleware(app, csp="default-src 'self'", warm=False), client=("127.0.0.1", 5))
    response = client.get("/events", headers={"Accept-Encoding": "br"})
    assert "content-encoding" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_page_links_the_apps_styles_once_and_they_are_served_from_the_app():
    client = make_client()
    page = client.get("/deltag").text
    # last in <body>: after the styles Streamlit's components put in <head>, so the app's rules win a tie
    assert page.count("a11y.css") == 1 and f'<link rel="stylesheet" href="{middleware.STYLESHEET_URL}"></body>' in page
    sheet = client.get(middleware.STYLESHEET_URL, headers={"Accept-Encoding": "identity"})
    assert sheet.status_code == 200 and sheet.headers["content-type"] == "text/css; charset=utf-8"
    assert sheet.content == middleware.STYLESHEET.read_bytes()
    assert "[data-testid='stCaptionContainer']" in sheet.text and "min-height:2.5rem" in sheet.text
    assert sheet.headers["x-content-type-options"] == "nosniff"


def _styles_sent_per_run(user_id: int) -> list[str]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(middleware.ASSETS.parents[2] / "app.py"), default_timeout=60)
    at.session_state["user_id"] = user_id
    at.run()
    return [h.proto.body for h in at.get("html") if "stCaptionContainer" in h.proto.body]


def test_a_streamlit_whose_page_cannot_take_the_link_gets_the_styles_with_every_run(tmp_path, monkeypatch, db_path):
    from quiz.store import create_user, open_db

    person = create_user(open_db(db_path), "lis", "Lis", "hemmelig123")
    middleware.index_links_stylesheet.cache_clear()
    try:
        assert middleware.index_links_stylesheet(), "the installed Streamlit's index.html takes the link"
        assert _styles_sent_per_run(person.id) == [], "linked from index.html: no page run sends them"

        changed = tmp_path / "index.html"
        changed.write_text('<html lang="en"><head><title>Streamlit</title></head><div id="root"></div>')
        monkeypatch.setattr(middleware, "_static_index", lambda: changed)
        middleware.index_links_stylesheet.cache_clear()
        assert not middleware.index_links_stylesheet()
        [sent] = _styles_sent_per_run(person.id)
        assert sent.startswith("<style>") and "min-height:2.5rem" in sent and "/*" not in sent
    finally:
        middleware.index_links_stylesheet.cache_clear()


def test_an_unexpected_error_reads_in_danish_without_a_traceback():
    # Streamlit shows its own redacted English text for an error a page did not expect
    # (client.showErrorDetails = "none"); the page's script swaps it for the catalogue's words. If
    # an upgrade changes Streamlit's text, this fails instead of the English coming back unnoticed.
    from streamlit.elements import exception as streamlit_exception  # noqa: PLC0415 - its private text

    assert middleware.STREAMLIT_ERROR_TEXT == streamlit_exception._GENERIC_UNCAUGHT_EXCEPTION_TEXT
    page = middleware.rewrite_index(b"<html><head></head><body></body></html>", "da").decode("utf-8")
    assert "Der skete en uventet fejl, og siden kunne ikke vises helt." in html.unescape(page)
    config = tomllib.loads((middleware.ASSETS.parents[2] / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none", "no traceback reaches a person"
