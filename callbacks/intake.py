"""Callbacks of the intake form, for any page that shows it: register with where the new case goes."""
from __future__ import annotations

import functools
from typing import Callable

from dash import ALL, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks import uploads
from callbacks.viewer import current_account, current_viewer
from db import areas, cases
from db.engine import session_scope
from layouts import ids, intake_form, text
from workflow import lifecycle as lc, photos as photo_rules
import settings

SPOT = "spot"  # the flash key of an intake at a spot picked on the map
# what a filed case empties on the form, and to what (category and source stay: the next call is often of the same
# kind); text boxes get "", since React leaves a box showing what it had when its value becomes None
CLEARED = {(ids.INTAKE_DESCRIPTION, "value"): "", (ids.INTAKE_REPORTER, "value"): "", (ids.INTAKE_PHONE, "value"): "",
           (ids.INTAKE_PHOTO, "contents"): None, (ids.INTAKE_PHOTO, "filename"): None}

# spot_of(session, *values of `where`) → (flash key, lon, lat) of the new case, or None when there is nowhere yet
SpotOf = Callable[..., "tuple[str, float, float] | None"]


def take_in_case(n, merges, *values, spot_of: SpotOf):
    """File the form's case where `spot_of` says (or merge it into an open one); the message names its deadline.

    The form's token makes a second submission of it (a double click, a retry) find the first case; once a case is
    filed the form gets a new token, so the next case typed into it is a new one.
    """
    *place, category, source, description, reporter, phone, photo, token = values
    merge_into = ctx.triggered_id["code"] if isinstance(ctx.triggered_id, dict) else None
    if not (any(merges or []) if merge_into else n):
        raise PreventUpdate  # buttons appearing with the form are not clicks
    try:
        photos = (photo_rules.prepare_photo(uploads.decode(photo, photo_rules.MAX_BYTES)),) if photo else ()
    except uploads.UploadError as err:
        return _unfiled(text.PHOTO_UPLOAD_ERRORS[err.kind])
    except photo_rules.PhotoError as err:
        return _unfiled(text.words(err))
    account = current_account()
    actor = account.display_name if account else "?"
    viewer = current_viewer()
    now = settings.now()
    with session_scope() as session:
        spot = spot_of(session, *place)
        if spot is None:
            return _unfiled(text.INTAKE_NO_PLACE)
        key, lon, lat = spot
        new = cases.NewCase(category=category or "", description=description or "", source=source or "",
                            lon=lon, lat=lat, reporter_name=reporter, reporter_phone=phone, client_token=token)
        try:
            created = cases.create_case(session, new, actor, viewer, now, photos=photos)
            code = created.code
            if merge_into and not created.repeat:
                cases.act(session, code, "merge", actor, viewer, 1, now, merge_into=merge_into)
        except (cases.CaseError, lc.TransitionError) as err:
            session.rollback()
            return _unfiled(text.words(err))
        deadline = created.deadline
        similar = [c["code"] for c in cases.similar_open_cases(session, new.category, lon, lat, now, viewer)
                   if c["code"] not in (code, merge_into)]
    if merge_into:
        message = text.INTAKE_MERGED.format(code=code, target=merge_into)
    else:
        message = text.INTAKE_DONE.format(code=code, deadline=deadline.strftime("%m-%d %H:%M"))
        if similar:
            message += text.INTAKE_SIMILAR.format(codes=text.LIST_SEP.join(similar[:5]))
    # a page that re-renders its form gets the message back through the flash store; a form that stays is emptied
    # for the next case (a late second click finds nothing to file) and gets a new token
    return (message, {"area": key, "message": message}, now.isoformat(), intake_form.new_token(),
            *CLEARED.values())


def _unfiled(message: str) -> tuple:
    """The answer when nothing was filed: the reason, and the form as it was (the same token: nothing is taken)."""
    return message, *[no_update] * (3 + len(CLEARED))


def suggest_duplicates(category, *place, spot_of: SpotOf):
    """Open cases of the chosen category near where the new one goes, offered for merging."""
    if not category:
        return []
    with session_scope() as session:
        spot = spot_of(session, *place)
        if spot is None:
            return []
        _key, lon, lat = spot
        similar = cases.similar_open_cases(session, category, lon, lat, settings.now(), current_viewer())
    return intake_form.build_similar(similar)


def show_photo_name(filename):
    return text.INTAKE_PHOTO_CHOSEN.format(name=filename) if filename else text.INTAKE_PHOTO


def find_buildings(query, chosen, options):
    """Buildings in the user's scope whose compound or building name holds what was typed."""
    if not query:
        # keep the chosen building listed, or the dropdown would show its code instead of its name
        return [o for o in options or [] if o["value"] == chosen]
    with session_scope() as session:
        found = areas.search_buildings(session, query, current_viewer())
    return [{"label": b["label"], "value": b["code"]} for b in found]


def register(app: Dash, where: list[State], spot_of: SpotOf, refresh: Output) -> None:
    """`where` are the states that say where the case is; `refresh` is bumped so the page shows the new case.

    The form is the same on every page that shows it; only where the case goes differs, so the page's states and
    its `spot_of` are bound here rather than declared with the functions.
    """
    app.callback(Output(ids.INTAKE_MESSAGE, "children"), Output(ids.INTAKE_FLASH, "data"), refresh,
                 Output(ids.INTAKE_TOKEN, "data"), *[Output(i, p) for i, p in CLEARED],
                 Input(ids.INTAKE_SUBMIT, "n_clicks"), Input(ids.intake_merge(ALL), "n_clicks"), *where,
                 State(ids.INTAKE_CATEGORY, "value"), State(ids.INTAKE_SOURCE, "value"),
                 State(ids.INTAKE_DESCRIPTION, "value"), State(ids.INTAKE_REPORTER, "value"),
                 State(ids.INTAKE_PHONE, "value"), State(ids.INTAKE_PHOTO, "contents"), State(ids.INTAKE_TOKEN, "data"),
                 # the button stays pressed until the answer is back: a second click cannot send the form again
                 running=[(Output(ids.INTAKE_SUBMIT, "disabled"), True, False)],
                 prevent_initial_call=True)(functools.partial(take_in_case, spot_of=spot_of))
    app.callback(Output(ids.INTAKE_SIMILAR, "children"), Input(ids.INTAKE_CATEGORY, "value"), *where,
                 prevent_initial_call=True)(functools.partial(suggest_duplicates, spot_of=spot_of))
    app.callback(Output(ids.INTAKE_PHOTO_NAME, "children"), Input(ids.INTAKE_PHOTO, "filename"),
                 prevent_initial_call=True)(show_photo_name)


def register_building_search(app: Dash, dropdown_id: str) -> None:
    """A dropdown that finds buildings in the user's scope by compound or building name as they type."""
    app.callback(Output(dropdown_id, "options"), Input(dropdown_id, "search_value"),
                 State(dropdown_id, "value"), State(dropdown_id, "options"))(find_buildings)
