#!/usr/bin/env bash
# Install the app and start it on the embedded default: local progress.db, bundled content.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --disable-pip-version-check -e .
exec python -m streamlit run app.py "$@"
