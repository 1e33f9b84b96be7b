"""What a user sees when a callback fails: a clear banner, never a traceback; DB outages heal by themselves."""
from __future__ import annotations

import logging
from typing import Callable

from dash import Dash, Input, Output, callback_context, set_props
from dash.exceptions import MissingCallbackContextException, PreventUpdate
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from db import cache
from db.engine import session_scope
from layouts import text
from workflow.textcheck import holds_unstorable

log = logging.getLogger(__name__)


def is_database_outage(err: BaseException) -> bool:
    return isinstance(err, (OperationalError, InterfaceError)) or (
        isinstance(err, DBAPIError) and err.connection_invalidated)


def error_handler(alert_id: str, poll_id: str) -> Callable[[Exception], None]:
    """A Dash on_error for one app: a Chinese banner, the old view kept (outputs stay as they were)."""

    def on_callback_error(err: Exception):
        if is_database_outage(err):
            log.warning("database unavailable during a callback: %s", err.__class__.__name__)
            set_props(alert_id, {"children": text.DB_UNAVAILABLE, "className": "alert show"})
            set_props(poll_id, {"disabled": False})
        elif _sent_unstorable():
            # NUL or half an emoji in what was sent, where no check of the field's own caught it (the database
            # refused it): the sender's input, not our failure
            log.warning("callback input with unstorable characters refused: %s", err.__class__.__name__)
            set_props(alert_id, {"children": text.BAD_CHARACTERS, "className": "alert show"})
        else:
            log.exception("callback failed", exc_info=err)
            set_props(alert_id, {"children": text.UNEXPECTED_ERROR, "className": "alert show"})
        return None

    return on_callback_error


def _sent_unstorable() -> bool:
    """Whether the failed callback was sent text no database can keep (NUL, half an emoji) in any input or state."""
    try:
        sent = [callback_context.inputs_list, callback_context.states_list]
    except MissingCallbackContextException:
        return False
    return holds_unstorable(sent)


def retry_when_database_is_back(n_intervals):
    """While the outage banner shows, poll the database; once it answers, hide the banner and redraw the page."""
    with session_scope() as session:
        cache.data_version(session)  # raises while the database is still away
    if not n_intervals:
        raise PreventUpdate
    return "alert", True, n_intervals


def register(app: Dash, alert_id: str, poll_id: str, retry_id: str) -> None:
    """Every page has its own banner, poll and retry ids (the public page's begin with public-)."""
    app.callback(Output(alert_id, "className"), Output(poll_id, "disabled"), Output(retry_id, "data"),
                 Input(poll_id, "n_intervals"), prevent_initial_call=True)(retry_when_database_is_back)
