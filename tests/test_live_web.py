"""The live room's lean pages (quiz.ui.web) over HTTP: joining by POST, answering with one tap, the CSRF
check, the brakes and the room cap, a signed-in phone, English phones, the stage's secret link, and
one rendering per room, state and language however many phones follow it."""

from __future__ import annotations

import asyncio
import re

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.testclient import TestClient

from quiz import live
from quiz.learning.quizzes import QuizSpec
from quiz.people import auth
from quiz.store import create_user, open_db
from quiz.ui.server.middleware import ServingMiddleware
from quiz.ui.web import broadcast, guard, phone, stage

HERE = {"Origin": "http://testserver"}
JSON = {**HERE, "Accept": "application/json"}
VENUE = ("192.0.2.10", 50000)  # every phone in the room shares the venue's address


def app() -> Starlette:
    return Starlette(routes=phone.ROUTES + stage.ROUTES, middleware=[Middleware(ServingMiddleware, warm=False)])


def client(*, address: tuple[str, int] = VENUE, lang: str = "da") -> TestClient:
    return TestClient(app(), client=address, headers={"Accept-Language": lang}, follow_redirects=False)


@pytest.fixture
def boss(db):
    return create_user(db, "fie", "Fie Facilitator", "hemmelig123", is_facilitator=True)


def make_room(db, boss, *, length: int = 2, types=("perspective",), **kwargs) -> live.LiveSession:
    spec = QuizSpec(pack_id="hvidovrevejen", length=length, types=list(types), seed=5)
    return live.create_session(db, boss.id, spec, allow_anonymous=True, points=True, **kwargs)


def join(phone_client: TestClient, code: str, name: str | None = "Anna"):
    data = {"kode": code} | ({"navn": name} if name else {})
    return phone_client.post("/deltag", data=data, headers=HERE)


def csrf_of(page: str) -> str:
    return re.search(r'data-csrf="([^"]+)"', page).group(1)


def test_a_phone_joins_by_post_answers_with_one_tap_and_a_changed_answer_counts_once(db, boss):
    room = make_room(db, boss)
    anna = client()
    joined = join(anna, room.code)
    assert joined.status_code == 303 and joined.headers["location"] == f"/deltag?kode={room.code}"
    cookie = joined.headers["set-cookie"]
    assert "hv_live=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Du er med!" in anna.get(f"/deltag?kode={room.code}").text

    current = live.start(db, room.id, actor_id=boss.id)
    page = anna.get("/deltag").text
    question = current.questions[0]
    # One form, one button per option, each lettered: one tap sends the answer.
    assert page.count('class="option"') == len(question.options)
    assert all(f'<span class="letter" aria-hidden="true">{letter}</span>' in page for letter in "ABCD")
    csrf = csrf_of(page)
    first = anna.post("/deltag/svar", data={"csrf": csrf, "index": "0", "svar": question.options[3].key}, headers=JSON)
    assert first.json()["ok"] and "Dit svar er modtaget" in first.json()["html"]
    assert "D. " in first.json()["html"], "the phone says which answer it got, lettered as on the stage"
    again = {"csrf": csrf, "index": "0", "svar": question.options[1].key}
    changed = anna.post("/deltag/svar", data=again, headers=JSON)
    assert changed.json()["ok"]
    counts = live.distribution(db, room.id, 0).counts
    assert counts[question.options[1].key] == 1 and counts[question.options[3].key] == 0
    assert sum(counts.values()) == 1, "a changed answer counts once"

    live.reveal(db, room.id, actor_id=boss.id)
    mine = anna.get("/deltag").text
    assert "Dit svar: B." in mine and "nr. 1 af 1" in mine, "own answer, place and score after the reveal"
    late = anna.post("/deltag/svar", data={"csrf": csrf, "index": "0", "svar": question.options[0].key}, headers=JSON)
    assert late.status_code == 409 and "lukket for svar" in late.json()["html"]


def test_a_get_link_can_no_longer_give_a_phone_somebody_elses_participant(db, boss):
    room = make_room(db, boss)
    attacker = client()
    join(attacker, room.code, "Mallory")
    token = attacker.cookies.get(guard.PARTICIPANT_COOKIE)
    victim = client()
    # The old cookie route is gone, and no GET on the phone page sets a participant cookie.
    assert victim.get(f"/live/browser?code={token}").status_code == 404
    page = victim.get(f"/deltag?kode={room.code}&p={token}")
    assert "set-cookie" not in page.headers
    assert 'name="navn"' in page.text, "the victim sees the join form, not the attacker's place"
    assert victim.cookies.get(guard.PARTICIPANT_COOKIE) is None


def test_an_answer_without_the_phones_token_or_from_another_site_is_refused(db, boss):
    room = make_room(db, boss)
    anna = client()
    join(anna, room.code)
    current = live.start(db, room.id, actor_id=boss.id)
    key = current.questions[0].options[0].key
    csrf = csrf_of(anna.get("/deltag").text)
    forged = anna.post("/deltag/svar", data={"index": "0", "svar": key}, headers=JSON)
    assert forged.status_code == 403 and "Genindlæs" in forged.json()["html"]
    elsewhere = anna.post(
        "/deltag/svar", data={"csrf": csrf, "index": "0", "svar": key},
        headers={"Origin": "https://evil.example", "Accept": "application/json"},
    )  # fmt: skip
    assert elsewhere.status_code == 403
    assert live.answer_of(db, live.participants(db, room.id)[0].id, 0) is None, "nothing was stored"


def test_a_flood_of_joins_from_one_client_is_braked_with_a_clear_message(db, boss):
    room = make_room(db, boss)
    flood = client(address=("198.51.100.7", 4000))
    refused = None
    for n in range(500):
        flood.cookies.clear()  # an attacker drops every cookie: only the address is left to brake
        answer = join(flood, room.code, f"Bot {n}")
        if answer.status_code != 303:
            refused = answer
            break
    assert refused is not None and refused.status_code == 429, "the flood is refused after the allowance"
    assert "For mange nye deltagere" in refused.text and int(refused.headers["retry-after"]) >= 1
    assert live.pulse(db, room.id).participants <= 300
    # Somebody on another address still gets in at once.
    assert join(client(address=("203.0.113.9", 1)), room.code, "Bente").status_code == 303


def test_a_full_room_refuses_newcomers_but_lets_its_people_back(db, boss, monkeypatch):
    monkeypatch.setenv("QUIZ_LIVE_ROOM_CAP", "2")
    room = make_room(db, boss)
    anna = client()
    assert join(anna, room.code, "Anna").status_code == 303
    assert join(client(), room.code, "Bo").status_code == 303
    third = join(client(), room.code, "Cai")
    assert third.status_code == 400 and "Rummet er fuldt (2 deltagere)" in third.text
    assert join(anna, room.code, "Anna").status_code == 303, "somebody already in the room comes back"


def test_a_signed_in_phone_is_known_by_the_sign_in_cookie_and_its_answers_count_in_progress(db, boss):
    room = make_room(db, boss)
    lene = create_user(db, "lene", "Lene Leder", "hemmelig123")
    phone_client = client()
    phone_client.cookies.set("hv_session", auth.create_session(db, lene.id))
    assert "Du deltager som Lene Leder" in phone_client.get(f"/deltag?kode={room.code}").text
    assert join(phone_client, room.code, name=None).status_code == 303
    (person,) = live.participants(db, room.id)
    assert person.user_id == lene.id
    current = live.start(db, room.id, actor_id=boss.id)
    csrf = csrf_of(phone_client.get("/deltag").text)
    key = current.questions[0].accepted[0][0]
    assert phone_client.post("/deltag/svar", data={"csrf": csrf, "index": "0", "svar": key}, headers=JSON).json()["ok"]
    live.reveal(db, room.id, actor_id=boss.id)
    assert db["attempts"].count_where("user_id = ? AND kind = 'live'", [lene.id]) == 1
    assert db["answers"].count_where("attempt_id IN (SELECT id FROM attempts WHERE user_id = ?)", [lene.id]) == 1


def test_an_english_phone_stays_english(db, boss):
    room = make_room(db, boss)
    bob = client(lang="en-GB,en;q=0.9")
    assert "Join a live quiz" in bob.get(f"/deltag?kode={room.code}").text
    join(bob, room.code, "Bob")
    live.start(db, room.id, actor_id=boss.id)
    page = bob.get("/deltag").text
    assert '<html dir="ltr" lang="en">' in page and "Question 1 of 2" in page
    assert "Which perspective" in page, "the question itself in English"


def test_an_open_answer_shows_its_limit_and_a_too_long_one_is_refused_in_words(db, boss):
    room = live.create_session(
        db, boss.id, QuizSpec(pack_id="hvidovrevejen", length=1, types=["perspective"], seed=1),
        questions=[live.open_question("Hvad betyder åbenhed for jer?", pack_id="hvidovrevejen")],
        allow_anonymous=True,
    )  # fmt: skip
    anna = client()
    join(anna, room.code)
    live.start(db, room.id, actor_id=boss.id)
    page = anna.get("/deltag").text
    assert 'maxlength="140"' in page and "0 af 140 tegn" in page
    csrf = csrf_of(page)
    long = anna.post("/deltag/tekst", data={"csrf": csrf, "index": "0", "tekst": "x" * 288}, headers=JSON)
    assert long.status_code == 400 and "140" in long.json()["html"]
    ok = anna.post("/deltag/tekst", data={"csrf": csrf, "index": "0", "tekst": "Ærlighed og åbenhed"}, headers=JSON)
    assert ok.json()["ok"] and "»Ærlighed og åbenhed«" in ok.json()["html"]
    # An open question's texts wait for the facilitator's approval (issue #25's moderation), and the
    # phone says so; approved, the phrase reaches the stage whole.
    receipt = ok.json()["html"]
    assert "det vises på skærmen, når det er godkendt" in receipt and "venter på godkendelse" in receipt
    assert live.word_counts(db, room.id, 0) == []
    (anna_id,) = db.execute("SELECT id FROM live_participants WHERE session_id = ?", [room.id]).fetchone()
    (waiting,) = live.my_texts(db, anna_id, 0)
    live.approve_text(db, room.id, waiting.id, actor_id=boss.id)
    assert live.word_counts(db, room.id, 0) == [("Ærlighed og åbenhed", 1)], "the phrase stays whole"


def test_the_stage_opens_signed_out_by_its_secret_link_until_it_is_revoked(db, boss):
    room = make_room(db, boss)
    key = live.stage_key(db, room.id, actor_id=boss.id)
    projector = client()
    page = projector.get(f"/storskaerm/{key}")
    assert page.status_code == 200 and room.code in page.text and "data:image/png;base64," in page.text
    assert db["live_stage_keys"].count_where("key_hash = ?", [key]) == 0, "only the key's hash is stored"
    assert projector.get("/storskaerm/" + "x" * 32).status_code == 404
    with pytest.raises(live.NotAllowed):
        live.revoke_stage_keys(db, room.id, actor_id=create_user(db, "ida", "Ida", "hemmelig123").id)
    live.revoke_stage_keys(db, room.id, actor_id=boss.id)
    gone = projector.get(f"/storskaerm/{key}")
    assert gone.status_code == 404 and "virker ikke" in gone.text


def test_the_stage_hides_the_bars_until_the_reveal(db, boss):
    room = make_room(db, boss)
    key = live.stage_key(db, room.id, actor_id=boss.id)
    anna = client()
    join(anna, room.code)
    current = live.start(db, room.id, actor_id=boss.id)
    csrf = csrf_of(anna.get("/deltag").text)
    first = {"csrf": csrf, "index": "0", "svar": current.questions[0].options[0].key}
    anna.post("/deltag/svar", data=first, headers=JSON)
    before = client().get(f"/storskaerm/{key}").text
    assert "1 af 1 har svaret" in before and 'class="bar"' not in before and "Rigtigt svar" not in before
    live.reveal(db, room.id, actor_id=boss.id)
    after = client().get(f"/storskaerm/{key}").text
    assert 'class="bar"' in after and '<span class="n">1</span>' in after and 'class="mark">Rigtigt svar' in after


def test_the_pages_run_no_inline_script_under_the_policy(db, boss):
    room = make_room(db, boss)
    page = client().get(f"/deltag?kode={room.code}")
    policy = page.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, flags=re.S)
    assert scripts and all('src="/hv-assets/live.js' in attrs and not body.strip() for attrs, body in scripts)
    assert len(page.content) < 8_000


def test_the_stream_starts_with_the_room_as_it_is(db, boss):
    room = make_room(db, boss)
    anna = client()
    join(anna, room.code)
    live.start(db, room.id, actor_id=boss.id)
    with anna.stream("GET", "/deltag/strom") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = []
        for line in stream.iter_lines():
            lines.append(line)
            if line.startswith("data:"):
                break
    assert "event: room" in lines and '"state":"question"' in lines[-1]


def test_one_rendering_per_room_state_and_language_serves_every_phone(db, boss):
    room = make_room(db, boss)
    hub = broadcast.hub()

    def start_from_another_connection() -> None:  # as another server process would
        other = open_db(hub.path, migrate=False)
        live.start(other, room.id, actor_id=boss.id)
        other.close()

    async def play() -> int:
        followers = [await hub.listen(room.id, ("phone", "da")) for _ in range(200)]
        followers += [await hub.listen(room.id, ("phone", "en")) for _ in range(50)]
        await asyncio.sleep(3 * broadcast.TICK)  # the broadcaster has seen the room as it is
        before = hub.renders
        for _, listener in followers:
            listener.wake.clear()
        await asyncio.to_thread(start_from_another_connection)
        for _ in range(100):  # every phone is woken by the broadcaster's own task
            if all(listener.wake.is_set() for _, listener in followers):
                break
            await asyncio.sleep(broadcast.TICK)
        assert all(listener.wake.is_set() for _, listener in followers)
        made = hub.renders - before
        for found_room, listener in followers:
            hub.leave(found_room, listener)
        return made

    assert asyncio.run(play()) == 2, "one message per language, not one per phone"


def test_after_a_reveal_each_phone_gets_its_own_part_with_the_rooms_message_and_a_removed_one_is_told(db, boss):
    room = make_room(db, boss)
    people = [live.join(db, room.code, display_name=name, client_key=f"k{name}")[0] for name in ("Anna", "Bo", "Carl")]
    current = live.start(db, room.id, actor_id=boss.id)
    question = current.questions[0]
    right = live.answer_key(question)
    wrong = next(o.key for o in question.options if o.key != right)
    live.submit_answer(db, room.id, people[0].id, 0, right)
    live.submit_answer(db, room.id, people[1].id, 0, wrong)
    hub = broadcast.hub()

    def from_another_connection(move) -> None:  # as another server process would
        other = open_db(hub.path, migrate=False)
        move(other)
        other.close()

    async def next_event(stream, state: str = "") -> str:
        """The stream's next write (with ``state``: the first that shows the room in that state)."""
        while True:
            text = (await asyncio.wait_for(stream.__anext__(), 10)).decode()
            if f'"state":"{state}"' in text or not state:
                return text

    async def play() -> tuple[list[str], str]:
        streams = [broadcast.stream(hub, room.id, ("phone", "da"), (p.id, p.user_id)) for p in people]
        for each in streams:
            assert (await next_event(each)).startswith("retry:")
            assert "event: me" not in await next_event(each), "no own part while the question is open"
        await asyncio.to_thread(from_another_connection, lambda other: live.reveal(other, room.id, actor_id=boss.id))
        revealed = [await next_event(each, "revealed") for each in streams]
        await asyncio.sleep(3 * broadcast.TICK)
        later = broadcast.stream(hub, room.id, ("phone", "da"), (people[0].id, None))  # a phone waking up
        assert (await next_event(later)).startswith("retry:")
        revealed.append(await next_event(later, "revealed"))
        await later.aclose()
        carl = people[2].id
        await asyncio.to_thread(
            from_another_connection, lambda other: live.remove_participant(other, room.id, carl, actor_id=boss.id)
        )
        await asyncio.to_thread(from_another_connection, lambda other: live.end(other, room.id, actor_id=boss.id))
        ended = await next_event(streams[2], "ended")
        for each in streams:
            await each.aclose()
        return revealed, ended

    revealed, ended = asyncio.run(play())
    anna, bo, carl, anna_again = revealed
    assert "Rigtigt!" in anna_again, "a phone that opens its stream after the reveal gets its own part too"
    assert all(text.index("event: room") < text.index("event: me") for text in revealed), "the own part follows"
    assert "Rigtigt!" in anna and "nr. 1 af 3" in anna
    assert "Ikke rigtigt." in bo and "nr. 2 af 3" in bo and "Rigtigt!" not in bo
    assert "Du nåede ikke at svare" in carl and "nr. 2 af 3" in carl, "a tie shares the place"
    assert views_me(anna) != views_me(bo), "each phone reads only its own part"
    assert '"gone":true' in ended, "a removed participant's phone is told to reload"


def views_me(text: str) -> str:
    return text[text.index("event: me"):]


def test_the_phone_and_stage_pages_are_answered_by_their_own_router_with_the_apps_headers(db, boss):
    from starlette.responses import PlainTextResponse

    from quiz.ui.server import asgi

    async def streamlit_stand_in(scope, receive, send):  # what would otherwise answer: Streamlit's app
        await PlainTextResponse("streamlit", status_code=418)(scope, receive, send)

    room = make_room(db, boss)
    served = ServingMiddleware(streamlit_stand_in, warm=False, **asgi.lean_pages())
    web = TestClient(served, client=VENUE, follow_redirects=False)
    page = web.get(f"/deltag?kode={room.code}")
    assert page.status_code == 200 and 'name="navn"' in page.text
    assert "content-security-policy" in page.headers, "the app's own headers still come with the lean page"
    assert web.post("/deltag/strom", headers=HERE).status_code == 405, "a wrong method is a 405, not an error page"
    assert web.get("/storskaerm/not-a-key").status_code in (403, 404)
    assert web.get("/healthz").status_code == 418 and web.get("/deltagelse").status_code == 418, "the rest goes on"
