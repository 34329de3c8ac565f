"""What the room sees of a live session on the facilitator's own page: lobby, question, reveal and results.

The room's own screen is the lean stage (``quiz.ui.web.stage``, ``/storskaerm/<key>``); this is the
facilitator's view of the same moments, under the control row. The changing parts are fragments
that read a few numbers (:func:`quiz.live.pulse`) and fetch the distribution only when one
changed, so an answer changed from D to B redraws the bars too; a changed version means the
session moved on and the whole page reruns. The server pushes a rerun when the numbers change
(:mod:`quiz.ui.live.watch`); without push they poll.
"""

from __future__ import annotations

import streamlit as st

from quiz import live
from quiz.i18n import messages, t
from quiz.store.db import utcnow
from quiz.ui import language, session
from quiz.ui.live import watch as live_watch
from quiz.ui.live.widgets import (
    big_code,
    distribution_charts,
    join_link,
    letter,
    plain,
    podium,
    qr_png,
    show_question,
    text_list,
    timer_bar,
    word_cloud,
)
from quiz.ui.question_widget import escape_md, quote

TXT = messages("projector")
NAMES_SHOWN = 120
# The chart's hover toolbar (table view, download, full screen) only gets in the way on a projector;
# the page's top padding is room a 1080-pixel screen needs for the question.
PROJECTOR_CSS = (
    '<style>.st-key-live_chart [data-testid="stElementToolbar"] {display:none}'
    ".block-container, [data-testid='stMainBlockContainer'] {padding-top:2.2rem !important}</style>"
)


def style() -> None:
    st.html(PROJECTOR_CSS)


def auto_reveal_check(live_session: live.LiveSession, now: live.Pulse) -> None:
    """A session with automatic reveal: reveal once time is up or everyone has answered."""
    if not live_session.auto_reveal or live_session.state != live.State.QUESTION:
        return
    everyone = now.participants > 0 and now.answered >= now.participants
    deadline = live_session.deadline()
    if everyone or (deadline is not None and utcnow() >= deadline):
        if live.reveal_when_due(session.db(), live_session.id, registry=session.registry()) is not None:
            st.rerun()


def lobby_people(session_id: int, version: int) -> None:
    language.restore()
    conn = session.db()  # a fragment rerun may run in another thread than the run that defined it
    now = live.pulse(conn, session_id)
    if now.version != version:
        st.rerun()
    cached = st.session_state.get("live_people")
    if cached is None or cached[0] != (session_id, now.participants, now.version):
        names = [p.display_name for p in live.participants(conn, session_id)]
        st.session_state["live_people"] = cached = ((session_id, now.participants, now.version), names)
    names = cached[1]
    st.metric(TXT["joined"], len(names))
    if not names:
        st.caption(TXT["waiting"])
        return
    shown = " · ".join(plain(n) for n in names[-NAMES_SHOWN:])
    if len(names) > NAMES_SHOWN:
        shown += " " + TXT["more"].format(n=len(names) - NAMES_SHOWN)
    st.markdown(shown)


def lobby_screen(live_session: live.LiveSession) -> None:
    link = join_link(live_session.code)
    big_code(live_session.code)
    left, right = st.columns([3, 2], vertical_alignment="center")
    with left:
        st.markdown(TXT["join_at"].format(link=escape_md(link)))
        if live_session.locked:
            st.warning(TXT["locked"], icon=":material/lock:")
        live_watch.fragment(lobby_people, live_watch.poll_every(2), live_session.id, live_session.version)
    with right:
        # The picture alone tells a screen reader nothing: its text says what it is and where it leads.
        st.image(qr_png(link), caption=TXT["qr"], width=340, alt=t("a11y.qr_alt", code=live_session.code, link=link))


def answers_panel(live_session: live.LiveSession, *, revealed: bool) -> None:
    """The distribution (or the room's texts) so far; fetched again only when the pulse changed."""
    conn = session.db()  # also runs inside a fragment: this thread's connection
    question = live_session.current_question
    if question is None:  # (shown only while a question is on screen)
        return
    now = live.pulse(conn, live_session.id)
    if now.version != live_session.version:
        st.rerun()
    auto_reveal_check(live_session, now)
    key = (live_session.id, live_session.current_index, now)
    cached = st.session_state.get("live_dist")
    if cached is None or cached[0] != key:
        cached = (key, live.distribution(conn, live_session.id, live_session.current_index))
        st.session_state["live_dist"] = cached
    dist = cached[1]
    st.progress(
        dist.answered / dist.participants if dist.participants else 0.0,
        text=TXT["answered"].format(answered=dist.answered, participants=dist.participants),
    )
    if live.is_open_question(question):
        texts = [t.text for t in live.texts_of(conn, live_session.id, live_session.current_index, hidden=False)]
        if question.data.get("display") == "list":
            text_list(texts)
        else:
            word_cloud(live.word_counts(conn, live_session.id, live_session.current_index))
        return
    charts = distribution_charts(question, dist, revealed=revealed, compact=revealed)
    with st.container(key="live_chart"):
        short = max((len(o.label) for o in question.options), default=0) <= 24
        if revealed and len(charts) > 2 and short:
            # After the reveal the answer stands beside the bars: two columns of small charts, so
            # five statements fit a 1920x1080 screen.
            grid = st.columns(2)
            for i, chart in enumerate(charts):
                grid[i % 2].vega_lite_chart(spec=chart, width="stretch")
        else:
            for chart in charts:
                st.vega_lite_chart(spec=chart, width="stretch")


def _live_answers(live_session: live.LiveSession) -> None:
    language.restore()
    answers_panel(live_session, revealed=False)


def _watch(session_id: int, version: int) -> None:
    """Another tab (or the control page) may move the session on."""
    language.restore()
    now = live.session_version(session.db(), session_id)
    if now != version:
        st.rerun()


def question_screen(live_session: live.LiveSession) -> None:
    question = live_session.current_question
    if question is None:  # (shown only while a question is on screen)
        return
    deadline, limit = live_session.deadline(), live_session.time_limit()
    left, right = st.columns(2, gap="large")
    with left:
        show_question(question)
        if deadline is not None and limit:  # (a deadline has a limit)
            timer_bar(deadline, limit)
    with right:
        every = live_watch.poll_every(1)
        if deadline is not None:  # a look at the time-up moment, for the automatic reveal
            every = max(0.5, min(every, (deadline - utcnow()).total_seconds() + 0.3))
        live_watch.fragment(_live_answers, every, live_session)


def revealed_screen(live_session: live.LiveSession, db, registry) -> None:
    """The answer first: right answer, discussion prompt and leaderboard at the top, the bars below.

    A five-statement question's reveal (five charts) fits a 1920×1080 screen this way.
    """
    question = live_session.current_question
    if question is None:  # (shown only while a question is on screen)
        return
    index = live_session.current_index
    live_watch.fragment(_watch, live_watch.poll_every(3), live_session.id, live_session.version)
    st.markdown(f"## {escape_md(question.prompt)}")
    prompt = live_session.discussions.get(index) or live.prompt_for(live_session, index, registry)
    left, right = st.columns(2, gap="large")
    with left:
        if not live.is_open_question(question):
            shown = live.explain(question, registry=registry)
            if question.kind == "assign":
                lines = "  \n".join(
                    f"**{i + 1}.** {escape_md(item.text)} → **{escape_md(question.option_label(acc[0]))}**"
                    for i, (item, acc) in enumerate(zip(question.items, question.accepted, strict=False))
                )
                st.success(f"{TXT['right_answer_head']}  \n{lines}", icon=":material/check_circle:")
            else:
                for item in question.items:
                    st.markdown(quote(item.text))  # as on the question screen and the phones
                keys = [o.key for o in question.options]
                first = question.accepted[0][0] if question.accepted and question.accepted[0] else None
                said = escape_md(shown.right_answer)
                if first in keys and "\n" not in shown.right_answer:  # lettered as on the screen and phones
                    said = f"{letter(keys.index(first))}. {said}"
                st.success(TXT["right_answer"].format(answer=said), icon=":material/check_circle:")
            if shown.explanation and not live_session.discussing:
                with st.expander(TXT["explanation"], expanded=question.kind == "choice"):
                    st.markdown(escape_md(shown.explanation))
        if prompt:
            key = "discussion_open" if live_session.discussing else "discuss"
            st.markdown(TXT[key].format(prompt=escape_md(prompt)))
        if live_session.points_enabled:
            top_list(db, live_session, limit=5)
    with right:
        if index in live_session.discussions:
            # The room's answers to the discussion take the bars' place, while it collects and after.
            live_watch.fragment(_discussion_answers, live_watch.poll_every(1), live_session)
        else:
            answers_panel(live_session, revealed=True)


def _discussion_answers(live_session: live.LiveSession) -> None:
    """The discussion's texts as a word cloud or a list, without the hidden ones; pushed like the bars."""
    language.restore()
    conn = session.db()
    now = live.pulse(conn, live_session.id)
    if now.version != live_session.version:
        st.rerun()
    index = live_session.current_index
    writers = live.writers(conn, live_session.id, index, kind=live.DISCUSSION_KIND)
    st.progress(
        writers / now.participants if now.participants else 0.0,
        text=TXT["written"].format(answered=writers, participants=now.participants),
    )
    if live_session.discussion_display == "list":
        shown = live.texts_of(conn, live_session.id, index, hidden=False, kind=live.DISCUSSION_KIND)
        text_list([t.text for t in shown])
    else:
        word_cloud(live.word_counts(conn, live_session.id, index, kind=live.DISCUSSION_KIND))


def top_list(db, live_session: live.LiveSession, *, limit: int) -> None:
    st.markdown(f"**{TXT['top']}**")
    lines = [
        f"**{r.place}.** {plain(r.display_name)} – {TXT['points_unit'].format(points=r.points)}"
        for r in live.leaderboard(db, live_session.id, limit=limit)
    ]
    st.markdown("  \n".join(lines) or TXT["waiting"])


def ended_summary(db, live_session: live.LiveSession) -> None:
    """The end as the room sees it: a word that it ended, how (if unusual), and the podium."""
    st.success(TXT["ended"], icon=":material/flag:")
    note = live.ending_note(live_session)
    if note is not None:
        st.warning(str(note), icon=":material/info:")
    if live_session.points_enabled and live_session.revealed_count:
        podium(live.participant_results(db, live_session.id))
