"""The intake form (问题收集), the same on the map's panel and on /cases/: what happened, who reported it, a photo."""
from __future__ import annotations

import uuid

from dash import dcc, html

from workflow.vocab import CASE_SOURCES, CATEGORIES, CaseSource
from layouts import ids, text


def build_intake(message: str | None = None, title: str = text.INTAKE_TITLE) -> html.Section:
    """Take in a problem here: 问题收集 straight from the map."""
    return html.Section(className="section", children=[html.H3(title), html.Div(className="intake", children=[
        dcc.Dropdown(labels=text.DROPDOWN_LABELS, id=ids.INTAKE_CATEGORY, placeholder=text.INTAKE_CATEGORY, className="dropdown",
                     options=[{"label": c, "value": c} for c in CATEGORIES]),
        dcc.Dropdown(labels=text.DROPDOWN_LABELS, id=ids.INTAKE_SOURCE, placeholder=text.INTAKE_SOURCE, className="dropdown", value=CaseSource.PATROL,
                     clearable=False, options=[{"label": c, "value": c} for c in CASE_SOURCES]),
        dcc.Textarea(id=ids.INTAKE_DESCRIPTION, placeholder=text.INTAKE_DESCRIPTION, className="textarea",
                     maxLength=1000),
        dcc.Input(id=ids.INTAKE_REPORTER, placeholder=text.INTAKE_REPORTER, className="input", maxLength=50),
        dcc.Input(id=ids.INTAKE_PHONE, placeholder=text.INTAKE_PHONE, className="input", maxLength=20),
        dcc.Upload(id=ids.INTAKE_PHOTO, accept="image/*", className="photo-drop",
                   children=html.Div(text.INTAKE_PHOTO, id=ids.INTAKE_PHOTO_NAME)),
        html.Div(id=ids.INTAKE_SIMILAR, className="intake-similar"),
        html.Button(text.INTAKE_SUBMIT, id=ids.INTAKE_SUBMIT, className="button"),
        html.Div(message, id=ids.INTAKE_MESSAGE, className="intake-message", role="status"),
        dcc.Store(id=ids.INTAKE_TOKEN, data=new_token()),
    ])])


def new_token() -> str:
    """A one-time token for a form as it is shown: every submission of it carries the token, so a double click or
    a retry files one case (or wish), and the form gets a new token once it has filed one."""
    return uuid.uuid4().hex



def build_similar(similar: list[dict]) -> list:
    """Open cases of the same kind close by, each with a button that files the new one as its duplicate."""
    if not similar:
        return []
    return [html.Div(text.SIMILAR_TITLE, className="similar-title"), html.Ul(className="list", children=[
        html.Li(className="similar-item", children=[
            html.B(c["code"]), html.Span(text.SIMILAR_DISTANCE.format(m=c["distance_m"]), className="muted"),
            html.Div(c["description"], className="case-desc"),
            html.Button(text.SIMILAR_MERGE, id=ids.intake_merge(c["code"]), className="button secondary small"),
        ]) for c in similar[:5]])]
