"""``python -m quiz``: the command line for operators and HR.

==================  ==================================================================
``main``            the parser and the general commands (validate, export, users, backup)
``common``          what every command shares: the database, the plugin registry, messages
``hr``              HR's commands: ``people``, ``units``, ``remind``, ``certificate``
==================  ==================================================================

The developers' commands (``demo``, ``bench``, ``loadtest``) come from ``quiz_devtools`` when a
checkout has it; the product runs without it (docs/architecture.md).
"""
