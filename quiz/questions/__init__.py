"""Questions: the value objects every question type speaks, and the built-in types, each a plugin.

==================  ==================================================================
``base``            ``Question``, ``Answer``, ``Grade`` and the ``QuestionType`` protocol
``common``          what the built-in types share: labels, explanations, answer checks
``perspective``     which of the four perspectives does this statement belong to?
``role``            who says this? the role whose page carries the statement
``match``           place four statements on the four perspectives
``chain``           one perspective down the chain of roles, from Direktion to Medarbejder
``odd_one_out``     of four statements, pick the one whose perspective differs
``values``          the pack's values, and the perspectives' Danish names against the model's
==================  ==================================================================

Each type registers through ``register_question_types`` (``quiz.hookspecs``), the door a
third-party plugin uses too (docs/plugins.md).
"""
