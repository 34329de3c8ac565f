#!/usr/bin/env bash
# Install everything the test suite needs, then run all of it. Used by the README, `make test` and CI.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use, installed when missing (as root, or with sudo):
#   chromium + chromium-driver  the browser tests (never a downloaded browser build)
#   nginx                       the two-process test behind a reverse proxy (deploy/nginx/)
#   poppler-utils               the certificate test reads the PDF back (pdftotext)
#   nodejs + npm                the SSO test's OpenID Connect provider (tests/oidc)
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
{ command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } || missing+=(nginx)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "Installerer ${missing[*]} til testene ..."
    $SUDO apt-get update -qq
    # Only the programs: no package may start a system service (nginx on port 80); policy-rc.d says no.
    NO_START=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
      $SUDO chmod +x /usr/sbin/policy-rc.d
      NO_START=1
    fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
    [ -z "$NO_START" ] || $SUDO rm -f /usr/sbin/policy-rc.d
  else
    echo "Advarsel: ${missing[*]} findes ikke og kan ikke installeres her; de tests, der bruger dem, springes over." >&2
  fi
fi

python -m pip install --quiet --disable-pip-version-check -e ".[test]"
# The message catalogues are compiled by the install, never committed (quiz/i18n.py).
python -m quiz.i18n compile >/dev/null
# The SSO browser test starts a real OpenID Connect provider (npm oidc-provider, pinned in tests/oidc).
if command -v npm >/dev/null 2>&1; then
  npm ci --prefix tests/oidc --silent --no-audit --no-fund >/dev/null
fi
python -m ruff check quiz quiz_devtools tests app.py serve.py
# Types: the files and checks are in pyproject.toml ([tool.mypy]); docs/architecture.md, "Types".
python -m mypy
python -m pytest "$@"
