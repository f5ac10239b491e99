"""The application layer: each use case once, for the window's services and the CLI.

It may use ``ai``, ``storage`` and ``config`` together (they do not know each other) and
``core``; it imports no Qt, so the command line and the tests run it without a window.
"""
