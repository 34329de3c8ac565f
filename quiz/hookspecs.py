"""What a plugin can add to the platform: question types and content packs.

Each hook hands the plugin a ``register`` callback, as simonw/llm does: the plugin calls it once per
thing it adds. Every hook has its own section in ``docs/plugins.md`` (a test checks this).
"""

from pluggy import HookimplMarker, HookspecMarker

hookspec = HookspecMarker("quiz")
hookimpl = HookimplMarker("quiz")


@hookspec
def register_question_types(register):
    """Register question types: call ``register(question_type)`` with a QuestionType instance."""


@hookspec
def register_content_packs(register):
    """Register content packs: call ``register(folder_or_pack)`` with a pack folder or a Pack."""
