"""The example in docs/progress.md runs as written."""

from __future__ import annotations

import re
from pathlib import Path

from quiz.learning.attempts import attempt_history
from quiz.store import get_user_by_name, open_db

DOC = Path(__file__).resolve().parents[1] / "docs" / "progress.md"


def test_progress_doc_script_plays_a_whole_quiz_on_a_fresh_database(db_path, capsys):
    section = DOC.read_text(encoding="utf-8").split("## Playing a whole quiz without Streamlit", 1)[1]
    script = re.search(r"```python\n(.*?)```", section, re.S).group(1)

    exec(compile(script, str(DOC), "exec"), {"__name__": "__docs__"})

    assert "5 af 5 rigtige (100%)" in capsys.readouterr().out
    db = open_db(db_path)
    [attempt] = attempt_history(db, get_user_by_name(db, "demo").id)
    assert attempt.finished_at is not None and attempt.score == 1.0 and attempt.title == "Prøvequiz"
