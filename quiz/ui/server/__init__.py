"""The web server around the Streamlit script: the ASGI app, its routes and its middleware.

==================  ==================================================================
``asgi``            the app's factory: start-up checks, tuning, routes and middleware
``routes``          the sign-in cookie routes
``middleware``      what every response carries: security headers, compression, caching
``private_media``   which /media files are private, and whose
``client``          who is on the other end, through trusted proxies
``proxy``           which forwarded headers are believed, from whom
``forwarded``       the ASGI server (uvicorn) believes no forwarded header: only ``proxy`` decides
``startup``         refuse to start with a bad setting: a clear message, never a half-working app
``tuning``          the Streamlit and asyncio internals no setting offers (docs/operations.md)
==================  ==================================================================

The live room's phones and stage are routes of their own, in :mod:`quiz.ui.web`.
``serve.py`` at the repository root builds the app from ``asgi``; ``app.py`` is only the router.
"""
