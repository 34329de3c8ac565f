"""Tools for developers and operators, beside the product and not installed with it.

==================  ==================================================================
``commands``        ``python -m quiz demo|bench|loadtest`` (registered by ``quiz.cli.main``)
``demo``            demo data: learners in every role, answered through the app's write path
``demo_org``        the demo organisation's units and leaders
``bench``           how fast the app is on a full-size organisation, as one JSON object
``bench_onboarding`` the bench's import and reminder figures
``smtp_sink``       a real SMTP server on 127.0.0.1 that keeps what it receives
``wire``            what a phone's first visit costs on the wire, in Chromium
``fonts``           the certificate's fallback fonts, cut from Debian's font packages
``loadtest/``       a live session with hundreds of phones against a real server
==================  ==================================================================

They need the test extra (``pip install -e ".[test]"``) and may import the domain code and
Streamlit's own test tools, but never ``quiz.ui`` (docs/architecture.md).
"""
