"""Admin-editable settings stored as JSON in `app_setting`: read over their defaults, validated before they are kept."""
from __future__ import annotations

import datetime as dt
import json
from typing import Callable

from sqlalchemy.orm import Session

from db import models as m


def read(session: Session, key: str, validate: Callable[[dict | None], dict]) -> dict:
    """The stored value of `key` through `validate` (None: the defaults). A hand-edited row that no longer validates
    gives the defaults: a bad setting must not take the pages or the imports down."""
    row = session.get(m.AppSetting, key)
    try:
        return validate(json.loads(row.value) if row else None)
    except (ValueError, TypeError):
        return validate(None)


def write(session: Session, key: str, value: dict, user: str | None, now: dt.datetime) -> None:
    """Store an already validated value of `key`, with who and when."""
    row = session.get(m.AppSetting, key)
    if row is None:
        row = m.AppSetting(key=key)
        session.add(row)
    row.value = json.dumps(value, ensure_ascii=False)
    row.updated_at, row.updated_by = now, user
