"""The live-session pages: a facilitator in AppTest and two lean phones (tests.lean) sharing one progress.db."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from streamlit.testing.v1 import AppTest

from quiz import live
from quiz.people import auth
from quiz.questions.base import Item, Option, Question
from quiz.ui.live.widgets import discussion_prompt, letter, lettered
from tests.lean import Phone

APP = str(Path(__file__).resolve().parents[1] / "app.py")
FACILITATOR_PAGE = "quiz/ui/pages/facilitator.py"


def open_page(page: str, *, user_id: int | None = None, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if user_id is not None:
        at.session_state["user_id"] = user_id
    at.run()
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.switch_page(page).run()


def click(at: AppTest, label: str) -> AppTest:
    [button] = [b for b in at.button if b.label == label]
    return button.click().run()


def chart_counts(at: AppTest) -> dict[str, int]:
    """The bars of the distribution chart on screen: bar label (A, B, C … for a choice question) -> count."""
    [chart] = at.get("vega_lite_chart")
    frame = pa.ipc.open_stream(chart.proto.datasets[0].data.data).read_pandas()
    return dict(zip(frame["Svar"], frame["Antal"], strict=True))


def bar_label(question, key: str) -> str:
    return letter([o.key for o in question.options].index(key))


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "success", "info", "warning", "error") for e in at.get(kind)]
    return "\n".join(str(p) for p in parts)


def test_facilitator_runs_a_session_that_two_phones_join_and_answer(live_people):
    db, users = live_people
    facilitator = open_page(FACILITATOR_PAGE, user_id=users["facilitator"].id)
    assert not facilitator.exception
    facilitator.toggle(key="live_anonymous").set_value(True)
    facilitator.multiselect(key="live_types").set_value(["perspective"])
    facilitator.number_input(key="live_length").set_value(3)
    click(facilitator, "Opret live-quiz")
    [session] = live.open_sessions(db, users["facilitator"].id)
    assert session.code in texts(facilitator), "the join code is shown big in the lobby"
    assert f"/deltag?kode={session.code}" in texts(facilitator)

    # An anonymous phone arrives through the QR link; a signed-in leader types the code.
    anna = Phone().open(session.code)
    assert f'name="kode" value="{session.code}"' in anna.html
    anna.join(session.code, "Anna <b>Andersen</b>")
    assert "Anna &lt;b&gt;Andersen&lt;/b&gt;" in anna.html
    assert "<b>Andersen</b>" not in anna.html, "typed names are shown escaped, never as HTML"
    assert "Vent på, at facilitatoren starter" in anna.text()

    lene = Phone(address="192.0.2.51", sign_in=auth.create_session(db, users["learner"].id))
    lene.join(session.code.lower())
    assert "Lene Leder" in lene.text()

    facilitator.run()
    assert facilitator.metric[0].value == "2"
    click(facilitator, "Start quizzen")
    question = live.get_session(db, session.id).questions[0]
    right = question.accepted[0][0]
    wrong = next(o.key for o in question.options if o.key not in question.accepted[0])

    for phone, answer in ((anna.run(), right), (lene.run(), wrong)):
        phone.answer(0, answer)
        assert "Dit svar er modtaget – du kan ændre det, indtil svaret vises." in phone.text()

    facilitator.run()
    assert "2 af 2 har svaret" in facilitator.get("progress")[0].proto.text
    assert sum(chart_counts(facilitator).values()) == 2, "the live distribution counts both answers"
    for i in range(len(question.options)):
        assert f"**{letter(i)}.** " in texts(facilitator), "the options are lettered on the projector"
    click(facilitator, "Vis svaret")
    assert "Rigtigt svar" in texts(facilitator)
    assert "Til drøftelse" in texts(facilitator)
    on_screen = chart_counts(facilitator)
    assert on_screen[bar_label(question, right)] == 1 and on_screen[bar_label(question, wrong)] == 1
    assert sorted(on_screen) == [letter(i) for i in range(len(question.options))], "every option has a bar"
    assert sum(on_screen.values()) == 2

    assert "Rigtigt!" in anna.text()
    assert "Ikke rigtigt." in lene.text()
    # After the reveal the phone says what she chose, beside the right answer, lettered as on the projector.
    assert f"Dit svar: {lettered(question).option_label(wrong)}" in lene.text()
    assert lettered(question).option_label(wrong).startswith(f"{bar_label(question, wrong)}. ")
    lene_attempts = list(db["attempts"].rows_where("user_id = ?", [users["learner"].id]))
    assert [a["kind"] for a in lene_attempts] == ["live"], "the signed-in leader keeps the answer in her progress"

    click(facilitator, "Næste spørgsmål")
    click(facilitator, "Afslut")
    assert "Live-quizzen er slut." in texts(facilitator)
    assert facilitator.get("download_button"), "results can be downloaded as CSV"
    assert "Live-quizzen er slut. Tak, fordi du var med!" in anna.text()


def test_a_phone_that_reloads_comes_back_with_its_answer(live_people):
    db, users = live_people
    from quiz.learning.quizzes import QuizSpec

    session = live.create_session(
        db,
        users["facilitator"].id,
        QuizSpec(pack_id="hvidovrevejen", length=2, types=["perspective"]),
        allow_anonymous=True,
    )
    phone = Phone().join(session.code, "Bo")
    live.start(db, session.id, actor_id=users["facilitator"].id)
    answer = session.questions[0].options[0].key
    phone.run().answer(0, answer)

    # A reload (or a new tab on the same phone): the participant cookie finds the place and the answer.
    reloaded = Phone()
    reloaded.client.cookies = phone.client.cookies
    reloaded.open(session.code)
    assert f"Kode {session.code} · Bo" in reloaded.html
    assert f'data-mine="&#34;{answer}&#34;"' in reloaded.html or f'data-mine="&quot;{answer}&quot;"' in reloaded.html
    assert "Dit svar er modtaget" in reloaded.text()


def test_a_learner_opening_the_facilitator_page_gets_no_access(live_people):
    _, users = live_people
    at = open_page(FACILITATOR_PAGE, user_id=users["learner"].id)
    assert not at.exception
    assert any("Ingen adgang" in e.value for e in at.error)
    assert not [b for b in at.button if b.label == "Opret live-quiz"]


def test_a_wrong_code_on_the_join_page_says_so_in_danish(live_people):
    phone = Phone().join("ABCDEF", "Gæst")
    assert "ingen live-quiz med den kode" in phone.html


def test_the_projector_screens_show_no_emoji_that_a_browser_without_emoji_fonts_draws_as_boxes(live_people):
    db, users = live_people
    from quiz.learning.quizzes import QuizSpec

    session = live.create_session(
        db,
        users["facilitator"].id,
        QuizSpec(pack_id="hvidovrevejen", length=1, types=["perspective"]),
        allow_anonymous=True,
        points=True,
    )
    phone = Phone().join(session.code, "Bo")
    facilitator = open_page(FACILITATOR_PAGE, user_id=users["facilitator"].id, query={"session": str(session.id)})
    click(facilitator, "Start quizzen")
    click(facilitator, "Vis svaret")
    click(facilitator, "Afslut og vis resultater")
    shown = texts(facilitator) + phone.text()
    assert not [ch for ch in shown if ord(ch) >= 0x1F000 or 0x2600 <= ord(ch) < 0x2800 or ch == "\u23f3"]
    assert all(not e.proto.icon or e.proto.icon.startswith(":material/") for e in facilitator.success)


def test_several_statements_get_a_discussion_prompt_in_the_plural():
    prompts = ["Hvad betyder udsagnet i jeres enhed?"]

    def question(n: int) -> Question:
        items = tuple(Item(f"Udsagn nummer {i}.", f"s{i}") for i in range(n))
        return Question(
            type="chain",
            kind="assign",
            prompt="Sæt udsagnene i kæden.",
            options=(Option("a", "1. Direktion"),),
            accepted=(("a",),) * n,
            items=items,
            statement_ids=tuple(i.statement_id for i in items),
            pack_id="hvidovrevejen",
        )

    assert discussion_prompt(prompts, 0, question(1)) == "Hvad betyder udsagnet i jeres enhed?"
    assert discussion_prompt(prompts, 0, question(5)) == "Hvad betyder udsagnene i jeres enhed?"
    assert discussion_prompt([], 0, question(5)) is None
