#!/usr/bin/env bash
# Build the documentation site as tox -e docs and CI do: warnings are errors (-W), every
# one is listed (--keep-going), and the gallery runs every example in its quick mode
# (SKINFLUENCE_DOCS_QUICK=1, set by docs/conf.py). Extra arguments go to sphinx-build
# (e.g. -D plot_gallery=0 to skip running the examples while editing pages).
# Output: docs/_build/html/index.html.
set -euo pipefail
cd "$(dirname "$0")/.."
bash docs/inventories.sh
start=$(date +%s)
python -m sphinx -W --keep-going -b html "$@" docs docs/_build/html
echo "docs: built in $(( $(date +%s) - start )) s -> docs/_build/html/index.html"
