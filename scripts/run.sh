#!/usr/bin/env bash
# Install the app and start it on the embedded default: local progress.db, bundled content.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --disable-pip-version-check -e .
# The message catalogues are compiled by the install, never committed (quiz/i18n.py).
python -m quiz.i18n compile >/dev/null
# uvicorn believes X-Forwarded-* from loopback unless told otherwise; only QUIZ_TRUSTED_PROXIES may decide.
export FORWARDED_ALLOW_IPS=""
exec python -m streamlit run serve.py "$@"
