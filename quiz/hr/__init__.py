"""HR and onboarding: units, the programme, the people import, reminders, certificates, reports, exports.

The package's modules, one job each:

==================  ==================================================================
``units``           the organisation's units as a tree, each person in at most one, and leaders
``programme``       what a new employee must complete and by when; each person's status
``people_import``   people from the HR system's CSV, checked whole before anything changes
``reminders``       ``python -m quiz remind``: the e-mails that bring people back, each sent once
``mailer``          e-mail out through the configured SMTP server
``certificate``     the PDF certificate of a completed programme
``reports``         the HR page's figures across the organisation
``exports``         the results CSV, statements for content review, a person's records
``own_data``        a person's own records, readable ("Mine data"), and deleting one's account
``xapi``            learning records as xAPI 1.0.3 statements
==================  ==================================================================

It may import ``quiz.people``, ``quiz.learning``, ``quiz.content``, ``quiz.store``, ``quiz.i18n`` and
``quiz.settings`` (docs/architecture.md).
"""
