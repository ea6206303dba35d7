"""actviz benchmark suite: ``python -m benchmarks`` (see benchmarks/README.md).

Every piece is a function returning a plain dict, so the smoke test can run
it with tiny repeat counts and check the structure without timing anything.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

WINDOW_SIZE = (1000, 700)
