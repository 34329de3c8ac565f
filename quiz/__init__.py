"""Hvidovrevejen e-læring: a learning and quiz platform with question types and content packs as plugins.

The packages (docs/architecture.md has the plan and what each may import):

==================  ==================================================================
``content``         content packs: pydantic models and the loader
``questions``       the question value objects and the built-in question types
``learning``        the intro, quizzes, attempts and grading, mastery, spaced repetition
``people``          accounts, sign-in, brakes, invitations, SSO
``hr``              units, the programme, import, reminders, certificates, reports, exports
``live``            live sessions for a room
``store``           progress.db: connections, transactions, migrations, accounts
``cli``             ``python -m quiz``
``ui``              the Streamlit skin and the web server around it
==================  ==================================================================

And the modules everything may use:

==================  ==================================================================
``i18n``            the message catalogue, ``t()``, ``Msg`` and ``QuizError``
``settings``        the deployment's settings (``QUIZ_*``)
``hookspecs``       what a plugin can add
``plugins``         the plugin manager, the built-in plugins and the registry
``__main__``        runs ``quiz.cli``
==================  ==================================================================
"""

__version__ = "0.1.0"
