"""Entry script of the frozen bundle: the same ``main`` as the ``tone-reader`` console script."""

import sys

from reader_app.cli import main

if __name__ == "__main__":
    sys.exit(main())
