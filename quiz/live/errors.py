"""The live room's base error: what every live module may raise, and may import without a loop."""

from quiz.i18n import QuizError


class LiveError(QuizError, ValueError):
    """An action that does not fit the session now; renders as a message that says what to do."""
