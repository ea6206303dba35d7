"""``python -m actviz`` is the ``actviz`` command."""

import sys

from actviz.cli import main

if __name__ == "__main__":
    sys.exit(main())
