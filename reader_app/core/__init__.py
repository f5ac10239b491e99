"""Pure-Python core: books, anchors, search. Imports no Qt."""
