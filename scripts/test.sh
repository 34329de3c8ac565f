#!/usr/bin/env bash
# Install everything the test suite needs, then run all of it. Used by the README, `make test` and CI.
set -euo pipefail
cd "$(dirname "$0")/.."

# The end-to-end tests drive Debian's Chromium (never a downloaded browser build).
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "Installerer Chromium til browsertestene ..."
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "Advarsel: Chromium findes ikke og kan ikke installeres her; browsertestene springes over." >&2
  fi
fi

python -m pip install --quiet --disable-pip-version-check -e ".[test]"
# The SSO browser tests start a real OpenID Connect provider (npm oidc-provider, pinned in tests/oidc).
if ! command -v npm >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "Installerer Node.js til SSO-browsertesten ..."
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
if command -v npm >/dev/null 2>&1; then
  npm ci --prefix tests/oidc --silent --no-audit --no-fund >/dev/null
else
  echo "Advarsel: npm findes ikke; SSO-browsertesten springes over (i CI fejler den)." >&2
fi
# The message catalogues are compiled by the install, never committed (quiz/i18n.py).
python -m quiz.i18n compile >/dev/null
python -m ruff check quiz tests app.py
python -m pytest "$@"
