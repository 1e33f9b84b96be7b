"""The viewer of the current callback request, from the flask-login session."""
from __future__ import annotations

from flask_login import current_user

from db.access import Viewer

NOBODY = Viewer("", "~").as_screen()  # a scope no code starts with: sees no case, no PII, may do nothing


def current_viewer() -> Viewer:
    # The request boundary (api/auth.py) already refused anonymous callers; this is the second lock.
    if current_user and current_user.is_authenticated:
        return current_user.viewer
    return NOBODY


def current_account():
    """The logged-in account (name, role, scope), or None."""
    if current_user and current_user.is_authenticated:
        return current_user.account
    return None
