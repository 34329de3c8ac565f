"""People: accounts, signing in, and the brakes that hold guessers back.

The package's modules, one job each:

==================  ==================================================================
``accounts``        what an admin may do to accounts; the checked actor (``require_actor``)
``access``          who may do HR's privileged actions, checked again in the writing transaction
``auth``            sign-up, sign-in and server-side sessions (braked per browser and address)
``brakes``          brakes on guessing: passwords, sign-up, live join codes
``passwords``       the rules for passwords and names, and argon2id hashing
``invitations``     single-use, expiring links with which an imported person sets a password
``login_codes``     short-lived codes that carry a new session token from the page to the cookie
``sso``             people who sign in through the organisation's identity provider (OIDC)
``cookies``         names and lifetimes of the app's cookies
``languages``       the language a person chose, kept on their account
``collation``       Danish alphabetical order of names (Æ, Ø, Å after Z; "aa" as Å)
==================  ==================================================================

It may import ``quiz.store``, ``quiz.i18n`` and ``quiz.settings``; nothing here imports ``quiz.hr``,
``quiz.learning``, ``quiz.live`` or ``quiz.ui`` (docs/architecture.md).
"""
