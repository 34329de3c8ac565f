"""The HR page's reminders section and the leader's reminder on »Min enhed«: reminders without IT.

HR sees what the next run will send and to whom (with where each link leads), when the last runs
were and what they sent, and can send now. The work is in ``quiz.hr.reminders``, which checks the
acting admin (or leader) again before anything is sent and records each run.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import streamlit as st

from quiz import settings
from quiz.content.models import Pack
from quiz.hr import reminders
from quiz.hr.mailer import Mailer, MailError
from quiz.hr.programme import LOCAL
from quiz.i18n import QuizError, t
from quiz.store.db import utcnow
from quiz.store.users import User
from quiz.ui import language, session

LISTED = 200


def _flash(key: str, kind: str, text: str, problems: Sequence[str] = ()) -> None:
    st.session_state[key] = (kind, text, list(problems))


def _show_flash(key: str) -> None:
    flash = st.session_state.pop(key, None)
    if flash:
        kind, text, problems = flash
        {"ok": st.success, "warning": st.warning}.get(kind, st.error)(text)
        if problems:
            st.dataframe(
                pa.Table.from_pylist([{t("hrremind.col_problem"): p} for p in problems]),
                hide_index=True,
                width="stretch",
                key=f"{key}_problems",
            )


def kinds_text(kinds: dict[str, int]) -> str:
    """``3 invitation, 1 frist overskredet``: what a run sent, by kind."""
    return ", ".join(f"{n} {t(f'remind.kind.{k}')}" for k, n in kinds.items()) or t("hrremind.nothing")


def _outcome_flash(key: str, outcome: reminders.Outcome) -> None:
    problems = [t("remind.failed", line=reminders.describe(r), problem=str(p)) for r, p in outcome.failed]
    if outcome.stopped is not None:
        problems.append(str(outcome.stopped))
    kind = "ok" if not problems else "warning"
    _flash(key, kind, str(outcome.summary(dry_run=False)), problems)


def _send(pack_id: str) -> None:
    language.restore()
    current = settings.current()
    pack = session.registry().packs[pack_id]
    try:
        with Mailer(current) as mailer:
            outcome = reminders.run(
                session.db(),
                pack,
                mailer=mailer,
                base_url=current.base_url,
                invite=current.invitations,
                source="hr",
                actor=session.actor(),
                actor_id=st.session_state.get("user_id"),
            )
    except (MailError, QuizError) as exc:
        _flash("hr_remind_flash", "error", str(exc))
        return
    _outcome_flash("hr_remind_flash", outcome)


def _preview_table(due: list[reminders.Reminder]) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                t("hrremind.col_name"): r.name,
                t("hrremind.col_email"): r.email,
                t("hrremind.col_kind"): t(f"remind.kind.{r.kind}"),
                t("hrremind.col_step"): t(f"hrremind.step.{r.step}"),
            }
            for r in due[:LISTED]
        ]
    )


def show_reminders(admin: User, pack: Pack) -> None:
    """What the next run sends and to whom, the last runs, and »Send nu«."""
    db = session.db()
    current = settings.current()
    _show_flash("hr_remind_flash")
    st.caption(t("hrremind.schedule"))

    st.header(t("hrremind.next_title"), anchor=False)
    due = reminders.due(db, pack, now=utcnow(), invite=current.invitations)
    if not due:
        st.info(t("hrremind.none_due"))
    else:
        people = len({r.user_id for r in due})
        st.markdown(t("hrremind.next_summary", count=len(due), people=people))
        st.dataframe(_preview_table(due), hide_index=True, width="stretch", key="hr_remind_preview")
    if not current.smtp_host:
        st.warning(t("hrremind.no_smtp"))
    st.button(
        t("hrremind.send_now", count=len(due)),
        on_click=_send,
        args=(pack.id,),
        disabled=not due or not current.smtp_host,
        type="primary",
        icon=":material/send:",
        key="hr_remind_send",
    )

    st.header(t("hrremind.last_title"), anchor=False)
    runs = reminders.last_runs(db, limit=10)
    if not runs:
        st.info(t("hrremind.never"))
        return
    last = runs[0]
    st.markdown(
        t(
            "hrremind.last_line",
            when=last.started_at.astimezone(LOCAL).strftime("%d-%m-%Y kl. %H:%M"),
            source=t(f"hrremind.source.{last.source}"),
            sent=last.sent,
            kinds=kinds_text(last.kinds),
            failed=last.failed,
        )
    )
    st.dataframe(
        pa.Table.from_pylist(
            [
                {
                    t("hrremind.col_when"): r.started_at.astimezone(LOCAL).strftime("%d-%m-%Y %H:%M"),
                    t("hrremind.col_source"): t(f"hrremind.source.{r.source}"),
                    t("hrremind.col_sent"): kinds_text(r.kinds),
                    t("hrremind.col_failed"): r.failed,
                }
                for r in runs
            ]
        ),
        hide_index=True,
        width="stretch",
        key="hr_remind_runs",
    )


# --- the leader's reminder (»Min enhed«) ---------------------------------------------------------


def _leader_send(pack_id: str) -> None:
    language.restore()
    current = settings.current()
    pack = session.registry().packs[pack_id]
    try:
        with Mailer(current) as mailer:
            outcome = reminders.remind_overdue_in_units(
                session.db(),
                pack,
                leader=session.actor(),
                mailer=mailer,
                base_url=current.base_url,
                invite=current.invitations,
            )
    except (MailError, QuizError) as exc:
        _flash("leader_remind_flash", "error", str(exc))
        return
    _outcome_flash("leader_remind_flash", outcome)


def leader_reminder(pack: Pack) -> None:
    """»Påmind de forsinkede«: one mail today to each overdue person of the leader's units."""
    current = settings.current()
    _show_flash("leader_remind_flash")
    due = reminders.remind_overdue_in_units(
        session.db(),
        pack,
        leader=session.actor(),
        mailer=None,
        base_url=current.base_url,
        invite=current.invitations,
        dry_run=True,
    ).due
    if not current.smtp_host:
        st.caption(t("hrremind.no_smtp"))
    st.button(
        t("hrremind.leader_send", count=len(due)) if due else t("hrremind.leader_none"),
        on_click=_leader_send,
        args=(pack.id,),
        disabled=not due or not current.smtp_host,
        icon=":material/send:",
        key="leader_remind_send",
        help=t("hrremind.leader_help"),
    )
