"""`python -m caffe.search ...`: the search command (see cli.py)."""
import sys

from .cli import main

sys.exit(main())
