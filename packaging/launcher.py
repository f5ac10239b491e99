"""Entry script of the frozen bundle: the same ``main`` as the ``tone-reader`` console script.

The bundle has no Python interpreter of its own to start, so the Kindle unpacker's child
process is this executable again with the unpacker's flag first (see core/loaders/mobi.py);
it is checked before anything else is imported.
"""

import sys

if __name__ == "__main__":
    from reader_app.core.loaders.mobi_unpack import UNPACK_FLAG

    if sys.argv[1:2] == [UNPACK_FLAG]:
        from reader_app.core.loaders.mobi_unpack import main as unpack_main

        sys.exit(unpack_main(sys.argv[2:]))
    from reader_app.cli import main

    sys.exit(main())
