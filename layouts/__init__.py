"""Functions that return component trees. No I/O, no callbacks."""
