"""Permissions live on the Viewer: what each role may read and do, and the masking of names and phones."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from callbacks.viewer import NOBODY
from db.access import SYSTEM, Viewer, mask_name, mask_phone
from workflow.vocab import Role

pytestmark = pytest.mark.backend_free  # no database: the SQLite pass alone runs it

ROOT = Path(__file__).resolve().parent.parent
# role: (sees_pii, may_write, may_administer, may_edit_standards, may_edit_candidates)
EXPECTED = {
    "admin": (True, True, True, True, True),
    "street_official": (True, True, False, False, True),
    "community_staff": (True, True, False, False, False),
    "grid_leader": (True, True, False, False, False),
    "screen": (False, False, False, False, False),
}


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_viewer_permissions_of_each_role(role):
    v = Viewer(role, "330381001")
    assert (v.sees_pii, v.may_write, v.may_administer, v.may_edit_standards, v.may_edit_candidates) == EXPECTED[role]


def test_nobody_and_unknown_roles_may_do_nothing():
    for v in (NOBODY, Viewer("visitor", None)):
        assert not (v.sees_pii or v.may_write or v.may_administer or v.may_edit_standards or v.may_edit_candidates)
    assert SYSTEM.sees_pii and SYSTEM.may_administer


def test_masking_helpers():
    assert mask_name("张三丰") == "张**"
    assert mask_name("李四") == "李*"
    assert mask_phone("13800001234") == "138****1234"
    assert mask_name(None) is None and mask_phone("") is None


def test_names_and_phones_as_each_viewer_reads_them():
    staff, screen = Viewer("grid_leader", "33038100100101"), Viewer("admin").as_screen()
    assert (staff.name_of("张三丰"), staff.phone_of("13800001234")) == ("张三丰", "13800001234")
    assert (screen.name_of("张三丰"), screen.phone_of("13800001234")) == ("张**", "138****1234")
    assert (staff.name_hint("张三丰"), screen.name_hint("张三丰")) == ("张**", None)
    assert screen.scope_code is None and screen.role == Role.screen


def test_no_callback_or_layout_compares_a_role_name():
    roles = "|".join(r.value for r in Role)
    pattern = re.compile(rf"""(==|!=|\bin)\s*\(?\s*["']({roles})["']|["']({roles})["']\s*(==|!=)|\brole\s*(==|!=|in\b|not in\b)""")
    offenders = [f"{path.relative_to(ROOT)}:{n}" for folder in ("callbacks", "layouts") for path in (ROOT / folder).glob("*.py")
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert offenders == []
