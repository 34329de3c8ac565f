"""Learning: the intro, quizzes, attempts and grading, mastery and spaced repetition.

The package's modules, one job each:

==================  ==================================================================
``intro``           how far each person has come through a pack's guided intro
``quizzes``         which statements and question types a quiz draws from; drawing and grading
``presets``         the quizzes a learner can choose, as plain data
``attempts``        start, resume, answer and finish an attempt, and look back
``stored``          how an attempt's questions and grades are stored, and rendered when read
``translation``     a stored question in the reader's language, through its type's plugin
``explain``         why a statement belongs where it does, from the pack's own text
``mastery``         how well people know the statements, per person and across the organisation
``refresh``         spaced repetition (FSRS): what to refresh, and when
``timefmt``         dates and times as the reader writes them, in Danish time
==================  ==================================================================

It may import ``quiz.questions``, ``quiz.content``, ``quiz.store``, ``quiz.i18n``, ``quiz.settings``
and ``quiz.plugins`` (docs/architecture.md).
"""
