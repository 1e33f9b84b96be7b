"""Who sees what: the scope rules every case query goes through (enforced here, not only hidden in the UI)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import true

from db import models as m


@dataclass(frozen=True)
class Viewer:
    """The person (or screen) a query answers for. scope_code None means everything (admin)."""

    role: str
    scope_code: str | None = None

    @property
    def shows_pii(self) -> bool:
        # the big screen and the public never get names or phones, masked or not
        return self.role != "screen"

    def covers(self, code: str | None) -> bool:
        """True when an area or case code lies inside this viewer's scope (codes nest by prefix)."""
        if self.scope_code is None:
            return True
        return bool(code) and code.startswith(self.scope_code)

    @property
    def key(self) -> tuple:
        return (self.role, self.scope_code)


SYSTEM = Viewer("admin", None)  # CLI, seeding, API of the whole dataset


def wish_scope(viewer: Viewer):
    """WHERE clause for 微心愿 this viewer may read, by the same grid-code rule as cases."""
    if viewer.scope_code is None:
        return true()
    return m.Wish.grid_code.like(f"{viewer.scope_code}%")


def case_scope(viewer: Viewer):
    """WHERE clause for cases this viewer may read: grid codes nest under community and street codes."""
    if viewer.scope_code is None:
        return true()
    return m.Case.grid_code.like(f"{viewer.scope_code}%")


def mask_name(name: str | None) -> str | None:
    """张三丰 → 张**: enough to recognise a neighbour's case, not enough to identify them."""
    if not name:
        return None
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return None
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"
