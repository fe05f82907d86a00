#!/usr/bin/env bash
# Policy search on scikit-learn's digits (see search_digits.py): a random
# search, a TPE search with the harmful policy enqueued, the final report
# on the held-out digits, and the checks. About 10 minutes on 2 cores.
# Needs: the project built in build/ (pycaffe), python3 with numpy,
# scikit-learn, optuna and matplotlib (pip install optuna matplotlib
# scikit-learn, or the package's [search] extra).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PYTHONPATH="$here/../../build/python${PYTHONPATH:+:$PYTHONPATH}"
cd "$here"
rm -rf work
python3 search_digits.py work "$@"
