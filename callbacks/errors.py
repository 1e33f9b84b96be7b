"""What a user sees when a callback fails: a clear banner, never a traceback; DB outages heal by themselves."""
from __future__ import annotations

import logging

from dash import Dash, Input, Output, set_props
from dash.exceptions import PreventUpdate
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from db import repository
from db.engine import session_scope
from layouts import ids, text

log = logging.getLogger(__name__)


def is_database_outage(err: BaseException) -> bool:
    return isinstance(err, (OperationalError, InterfaceError)) or (
        isinstance(err, DBAPIError) and err.connection_invalidated)


def on_callback_error(err: Exception):
    """Dash's global on_error: show a banner in Chinese, keep the old view (outputs stay as they were)."""
    if is_database_outage(err):
        log.warning("database unavailable during a callback: %s", err.__class__.__name__)
        set_props(ids.ALERT, {"children": text.DB_UNAVAILABLE, "className": "alert show"})
        set_props(ids.DB_POLL, {"disabled": False})
    else:
        log.exception("callback failed", exc_info=err)
        set_props(ids.ALERT, {"children": text.UNEXPECTED_ERROR, "className": "alert show"})
    return None


def register(app: Dash) -> None:
    @app.callback(
        Output(ids.ALERT, "className"), Output(ids.DB_POLL, "disabled"), Output(ids.RETRY, "data"),
        Input(ids.DB_POLL, "n_intervals"), prevent_initial_call=True,
    )
    def retry_when_database_is_back(n_intervals):
        with session_scope() as session:
            repository.data_version(session)  # raises while the database is still away
        if not n_intervals:
            raise PreventUpdate
        return "alert", True, n_intervals
