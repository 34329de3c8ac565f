"""Præsentation: the presenter view of a live session for the projector, without controls.

Type sized for a room; it follows the session by itself (pushed like the phones), so the
facilitator runs it from the control page or the facilitator page on another screen.
"""

from quiz import live
from quiz.ui import a11y, session
from quiz.ui.live import projector as live_projector
from quiz.ui.live.pick import session_from_url
from quiz.ui.question_widget import escape_md

user = session.require_facilitator()
db = session.db()
live_projector.style(big=True)
current = session_from_url(user)
if current is not None:
    a11y.small_title(escape_md(current.title))
    live_projector.room_screen(db, session.registry(), current, big=True)
    if current.state == live.State.ENDED and current.points_enabled:
        live_projector.top_list(db, current, limit=10)
