#!/usr/bin/env bash
# The test command of README.md: installs what the tests need on a fresh machine, then runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh          # Postfix, Dovecot, swaks, tmux from Debian's packages
python3 -m pip install -q -e '.[test]'     # smtpsh itself (the console script) and test tools
ruff check .
python3 -m mypy
exec python3 -m pytest -p no:cacheprovider "$@"
