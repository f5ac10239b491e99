"""Entry point for ``python -m reader_app``."""

from __future__ import annotations

import sys

from reader_app.cli import main

sys.exit(main())
