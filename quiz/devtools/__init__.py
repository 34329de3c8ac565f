"""Tools for developers and operators, not used by the running app: demo data, bench, load test.

They may import the domain code and Streamlit's own test tools, but never ``quiz.ui``.
"""
