"""A long session of ordinary use, driven through the real window, in its own process."""
