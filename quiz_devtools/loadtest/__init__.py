"""Load and crash testing against a real server: ``python -m quiz loadtest`` (docs/performance.md).

``client`` speaks Streamlit's websocket protocol like a browser tab, ``server`` starts and stops
``streamlit run serve.py`` on loopback, ``actors`` are the people in a live session (a phone, the
facilitator's screen, a learner), and ``driver`` runs a whole session with hundreds of phones and
reports the timings as JSON. ``cluster`` runs N server processes behind nginx, and ``stats``
summarises timings (percentiles in milliseconds).
"""
