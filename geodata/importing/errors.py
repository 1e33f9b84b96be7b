"""The one exception the importer raises for bad input: a kind the UI translates, and a precise English detail."""
from __future__ import annotations


class ImportRefused(Exception):
    """A file (or a choice about it) that cannot be imported; nothing has been written."""

    def __init__(self, kind: str, detail: str, /, **params):
        # positional-only: a parameter may itself be called `kind` (the layer a file was asked to become)
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.params = params
