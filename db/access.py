"""Who sees what: the scope rules every case query goes through (enforced here, not only hidden in the UI)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import false, true

from db import models as m
from geodata import codes
from workflow.vocab import PERSON_ROLES, Role

CANDIDATE_EDITORS = (Role.admin, Role.street_official)  # the street decides where its rooms are; grids propose


def mask_name(name: str | None) -> str | None:
    """张三丰 → 张**: enough to recognise a neighbour's case, not enough to identify them."""
    if not name:
        return None
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str | None) -> str | None:
    """13800001234 → 138****1234."""
    if not phone:
        return None
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


@dataclass(frozen=True)
class Viewer:
    """The person (or screen) a query answers for, and what they may do. scope_code None means everything (admin).

    Every permission is a property here, so no callback or layout compares role names.
    """

    role: str
    scope_code: str | None = None
    account_id: int | None = None  # the user row behind it, written to the case trail; None for the system

    @property
    def sees_pii(self) -> bool:
        # the big screen and the public never get names or phones, masked or not
        return self.role in PERSON_ROLES

    @property
    def may_write(self) -> bool:
        """Take in cases, act on them, publish and claim wishes: people, not the read-only big screen."""
        return self.role in PERSON_ROLES

    @property
    def may_administer(self) -> bool:
        """Accounts, display tokens, case rules, imports and the setup of a street (/admin/)."""
        return self.role == Role.admin

    @property
    def may_edit_standards(self) -> bool:
        """The walking standards of /planning (radius, speeds)."""
        return self.role == Role.admin

    @property
    def may_edit_candidates(self) -> bool:
        return self.role in CANDIDATE_EDITORS

    def may_plan(self, street: str | None) -> bool:
        """Save planning scenarios of a street: the people who work in it (grids and communities propose plans too)
        and admins; nobody for another street."""
        if self.role not in PERSON_ROLES or codes.level_of(street) != "street":
            return False
        return self.scope_code is None or codes.street_of(self.scope_code) == street

    def may_edit_candidates_of(self, street: str | None) -> bool:
        """Add and delete the candidate sites of a street: its own officials and admins."""
        return self.may_edit_candidates and self.may_plan(street) and self.covers(street)

    def may_delete_scenario(self, street: str | None, author_id: int | None) -> bool:
        """A saved scenario goes with its author's say, or the street's officials' (who decide for the street)."""
        if not self.may_plan(street):
            return False
        return self.may_edit_candidates_of(street) or (author_id is not None and author_id == self.account_id)

    def as_screen(self) -> Viewer:
        """The same scope as the big screen sees it: no names or phones, whoever is logged in."""
        return Viewer(Role.screen.value, self.scope_code)

    def name_of(self, name: str | None) -> str | None:
        """A person's name as this viewer may read it: whole for staff, masked (张**) for anyone else."""
        return name if self.sees_pii else mask_name(name)

    def phone_of(self, phone: str | None) -> str | None:
        return phone if self.sees_pii else mask_phone(phone)

    def name_hint(self, name: str | None) -> str | None:
        """Masked for staff (a map popup: enough to recognise a case), nothing at all for a screen."""
        return mask_name(name) if self.sees_pii else None

    def covers(self, code: str | None) -> bool:
        """True when an area or case code lies inside this viewer's scope (codes nest by prefix)."""
        if self.scope_code is None:
            return True
        return bool(code) and code.startswith(self.scope_code)

    @property
    def key(self) -> tuple:
        return (self.role, self.scope_code)


SYSTEM = Viewer(Role.admin.value, None)  # CLI, seeding, API of the whole dataset


# the column of a case, a wish or a building that holds the code of its area at each level
SCOPE_COLUMN = {"street": "street_code", "community": "community_code", "grid": "grid_code",
                "compound": "compound_code", "building": "building_code"}


def scope_where(model, viewer: Viewer):
    """WHERE clause for rows of `model` (a case, a wish, a building) inside this viewer's scope, by the code of the
    scope's own level: a community worker sees the community's rows that lie in no grid, a street official the
    street's. None of a scope's rows depends on a finer code being filled in."""
    if viewer.scope_code is None:
        return true()
    column = getattr(model, SCOPE_COLUMN.get(codes.level_of(viewer.scope_code)) or "", None)
    if column is None:
        return false()  # a scope of no known shape sees nothing rather than everything
    return column == viewer.scope_code


def wish_scope(viewer: Viewer):
    """WHERE clause for 微心愿 this viewer may read, by the same rule as cases."""
    return scope_where(m.Wish, viewer)


def case_scope(viewer: Viewer):
    """WHERE clause for cases this viewer may read."""
    return scope_where(m.Case, viewer)
