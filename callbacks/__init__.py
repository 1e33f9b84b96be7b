"""Thin Dash callbacks, one module per page, registered explicitly on the app."""
