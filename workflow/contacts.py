"""A person written down with a case or a wish (who reported it, who wished it): one check for a name and a phone."""
from __future__ import annotations

import re

from workflow.refusal import Problem, problem

NAME_LIMIT = 50  # characters, as the reporter and wisher columns hold them
# a mobile (11 digits from 13…19) or a landline with its area code (0577-6581234, 057765812345)
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def contact_problems(name: str | None, phone: str | None, name_kind: str) -> list[Problem]:
    """What is wrong with a name and a phone as typed (both optional): `name_kind` is the refusal for a long name.

    Nothing is cut to fit: a name that does not fit is refused with its limit, so nobody's name is stored halved.
    """
    problems = []
    if name and len(name.strip()) > NAME_LIMIT:
        problems.append(problem(name_kind, limit=NAME_LIMIT))
    if phone and phone.strip() and not PHONE.match(phone.strip()):
        problems.append(problem("bad_phone"))
    return problems


def clean(value: str | None) -> str | None:
    """The value as stored: stripped, None when empty."""
    return (value or "").strip() or None
