"""Load and crash testing against a real server: ``python -m quiz loadtest`` (docs/performance.md).

``phones`` are the live room's phones and stage as plain HTTP/SSE clients of the lean pages,
``driver`` runs a whole session with hundreds or thousands of phones and reports the timings as
JSON, ``server`` starts and stops ``streamlit run serve.py`` on loopback, ``cluster`` runs N server
processes behind nginx, and ``stats`` summarises timings (percentiles in milliseconds). ``client``
speaks Streamlit's websocket protocol like a browser tab, for ``actors``: the people on Streamlit
pages (a learner, the facilitator's screen).
"""
