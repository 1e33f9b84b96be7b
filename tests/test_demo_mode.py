"""Demo mode ends (issue 14, class 4): `clear-demo` removes the demo's data, accounts and token in one transaction;
real geodata is never imported into the demo; the login page, the demo accounts and the 演示数据 marks follow."""
from __future__ import annotations

import pytest
import shapely
from sqlalchemy import func, select, update

from db import models as m
from db.engine import session_scope
from tests.conftest import REFERENCE_TIME
from tests.helpers import PASSWORDS, login, switched_off
from tests.import_files import OSM_PBF, feature, write_geojson

STREET = "330381001"
SITE = shapely.box(120.70, 27.90, 120.71, 27.905)  # off the demo street: a real street of its own


@pytest.fixture()
def demo_copy(seeded_url, tmp_path, monkeypatch):
    """A copy of the seeded demo database of its own (clear-demo commits), with one account made by create-user."""
    from db import users
    from db.engine import get_engine
    from tests.conftest import copy_database, drop_database

    url = copy_database(seeded_url, tmp_path, "demo_mode")
    monkeypatch.setenv("DATABASE_URL", url)
    with session_scope() as session:
        users.create_user(session, "chief", "river-lamp-2026", "admin", None, "站长")
    yield tmp_path
    get_engine().dispose()
    drop_database(url)


def cli(*args):
    from app import server

    return server.test_cli_runner().invoke(args=[str(a) for a in args])


def _rows() -> dict[str, int]:
    from db.demo_mode import DEMO_TABLES

    with session_scope() as session:
        return {t.__tablename__: session.execute(select(func.count()).select_from(t)).scalar() for t in DEMO_TABLES}


def _usernames() -> list[str]:
    with session_scope() as session:
        return sorted(session.execute(select(m.User.username)).scalars())


def _is_demo() -> bool:
    from db import users

    with session_scope() as session:
        return users.is_demo(session)


def _client(addr: str = "198.19.0.1"):
    from app import server

    client = server.test_client()
    client.environ_base["REMOTE_ADDR"] = addr
    return client


def communities_file(folder):
    west, east = shapely.box(*SITE.bounds[:2], 120.705, SITE.bounds[3]), shapely.box(120.705, *SITE.bounds[1:])
    return write_geojson(folder / "communities.geojson", [feature(west, name="西社区"), feature(east, name="东社区")])


# --- clear-demo ---

def _settings() -> int:
    with session_scope() as session:
        return session.execute(select(func.count()).select_from(m.AppSetting)).scalar()


def test_clear_demo_removes_data_accounts_and_token_keeps_people_and_says_what_it_did(demo_copy):
    from db import rules

    with session_scope() as session:  # a deadline the deployment set while trying the demo: theirs, it stays
        rules.save_case_rules(session, {}, 12, "站长", REFERENCE_TIME)
    before, settings = _rows(), _settings()
    assert before["area"] and before["building"] and before["case"] and before["wish"] and before["volunteer"]
    result = cli("clear-demo")
    assert result.exit_code == 0, result.output
    assert f"area {before['area']}" in result.output and f"case {before['case']}" in result.output
    assert "demo accounts 4" in result.output and "demo display tokens 1" in result.output
    assert set(_rows().values()) == {0}
    assert _usernames() == ["chief"]  # made with create-user: stays
    assert not _is_demo()
    with session_scope() as session:
        assert session.execute(select(func.count()).select_from(m.DisplayToken)).scalar() == 0
    assert settings and _settings() == settings


def test_clear_demo_twice_changes_nothing_the_second_time(demo_copy):
    assert cli("clear-demo").exit_code == 0
    again = cli("clear-demo")
    assert again.exit_code == 0, again.output
    assert "nothing removed" in again.output
    assert set(_rows().values()) == {0} and _usernames() == ["chief"]


def test_clear_demo_is_all_or_nothing(demo_copy, monkeypatch):
    from db import users

    before, names = _rows(), _usernames()

    def broken(session):
        raise RuntimeError("disk full")

    monkeypatch.setattr(users, "remove_demo_accounts", broken)  # the last step: everything before it is undone
    result = cli("clear-demo")
    assert result.exit_code != 0
    assert _rows() == before and _usernames() == names and _is_demo()


def test_clear_demo_names_the_last_admin_gone(demo_copy):
    with session_scope() as session:
        session.execute(update(m.User).where(m.User.username == "chief").values(active=False))
    result = cli("clear-demo")
    assert result.exit_code == 0
    assert "no active admin account: create one with `flask --app app create-user NAME --role admin`" in result.output


def test_clear_demo_outside_demo_mode_removes_no_data(demo_copy):
    from tests.helpers import demo_street_as_real_data

    demo_street_as_real_data()  # the generated street as a deployment's own: never the demo's to delete
    before = _rows()
    result = cli("clear-demo")
    assert result.exit_code == 0 and _rows() == before


def test_clear_demo_refuses_while_real_imports_lie_in_the_demo_unless_told(demo_copy):
    """A database where files were imported into the demo before imports were refused (the issue's case)."""
    from db import cache

    with session_scope() as session:  # out of demo mode for a moment, as every import used to be let in
        session.execute(update(m.DataVersion).where(m.DataVersion.name == cache.ANY).values(note=None))
    assert cli("import", communities_file(demo_copy), "--as", "communities", "--street", "330381009",
               "--street-name", "新街道").exit_code == 0
    with session_scope() as session:
        session.execute(update(m.DataVersion).where(m.DataVersion.name == cache.ANY).values(note="演示数据"))
        batch = session.execute(select(m.ImportBatch.id)).scalar_one()
    before = _rows()
    refused = cli("clear-demo")
    assert refused.exit_code != 0 and f"1 import batches (ids {batch})" in refused.output
    assert "--with-imports" in refused.output and "Nothing was removed" in refused.output
    assert _rows() == before and _is_demo()
    done = cli("clear-demo", "--with-imports")
    assert done.exit_code == 0, done.output
    assert set(_rows().values()) == {0}
    with session_scope() as session:
        assert session.execute(select(func.count()).select_from(m.ImportBatch)).scalar() == 0


# --- what people see and can do when demo mode ends ---

def test_login_lists_demo_accounts_only_in_demo_mode_and_they_stop_working(demo_copy):
    page = _client().get("/login").get_data(as_text=True)
    assert "demo-admin-2026" in page and "demo-screen-token-2026" in page
    kiosk = _client()
    assert kiosk.get("/screen/?token=demo-screen-token-2026", headers={"Accept": "text/html"}).status_code == 200
    staff = _client()
    assert login(staff, "admin").status_code == 302
    assert cli("clear-demo").exit_code == 0
    page = _client().get("/login").get_data(as_text=True)
    assert "demo-admin-2026" not in page and "演示模式" not in page and "demo-screen-token" not in page
    for username in PASSWORDS:
        assert login(_client(), username).status_code == 401
    assert staff.get("/cases/_dash-layout").status_code == 401  # sessions opened in the demo end with it
    assert kiosk.get("/screen/_dash-layout").status_code == 401
    assert switched_off(_client().get("/screen/?token=demo-screen-token-2026", headers={"Accept": "text/html"}))
    assert login(_client(), "chief", "river-lamp-2026").status_code == 302


def test_demo_accounts_never_log_in_outside_demo_mode_even_if_left_behind(demo_copy):
    """Demo mode over by any road (a restore, a hand edit): the published passwords and the token open nothing."""
    from db import cache

    staff = _client()
    assert login(staff, "grid").status_code == 302
    with session_scope() as session:
        session.execute(update(m.DataVersion).where(m.DataVersion.name == cache.ANY).values(note=None))
    assert "grid" in _usernames()
    assert login(_client(), "grid").status_code == 401
    assert staff.get("/cases/_dash-layout").status_code == 401
    assert switched_off(_client().get("/screen/?token=demo-screen-token-2026", headers={"Accept": "text/html"}))


def test_the_demo_marks_show_only_in_demo_mode(demo_copy):
    from callbacks import map as map_callbacks, public as public_callbacks

    assert map_callbacks.show_demo_badge("/") is False and public_callbacks.show_demo_note("/public/") is False
    assert cli("clear-demo").exit_code == 0
    assert map_callbacks.show_demo_badge("/") is True and public_callbacks.show_demo_note("/public/") is True


def test_the_start_up_banner_prints_demo_accounts_only_in_demo_mode(demo_copy):
    from db.bootstrap import demo_banner, prepare

    assert "demo-admin-2026" in demo_banner()
    assert cli("clear-demo").exit_code == 0
    assert prepare(seed_if_empty=True) is False  # emptied on purpose: `python app.py` does not seed it again
    assert demo_banner() is None and not _is_demo() and set(_rows().values()) == {0}


# --- real geodata never goes into the demo ---

def test_cli_imports_into_the_demo_are_refused_naming_clear_demo(demo_copy):
    before = _rows()
    for args in (["import", communities_file(demo_copy), "--as", "communities", "--street", "330381009",
                  "--street-name", "新街道"],
                 ["import", communities_file(demo_copy), "--as", "communities", "--street", "330381009",
                  "--street-name", "新街道", "--dry-run"],
                 ["import-osm", OSM_PBF, "--street", "990000001", "--street-name", "测试街道"]):
        result = cli(*args)
        assert result.exit_code != 0, args
        assert "demo" in result.output and "flask --app app clear-demo" in result.output, result.output
        assert "nothing written" in result.output and "Traceback" not in result.output
    assert _rows() == before


def test_the_import_page_and_drawn_boundaries_refuse_the_demo_in_chinese(demo_copy):
    from db import street_setup
    from db.onboarding import import_file
    from geodata.importing.errors import ImportRefused
    from layouts import import_page, text

    path = communities_file(demo_copy)
    for dry_run in (True, False):  # the preview says what the commit would
        with pytest.raises(ImportRefused) as refused, session_scope() as session:
            import_file(session, path, "communities", None, None, dry_run, "330381009", "新街道")
        assert import_page.refusal_message(refused.value.kind, refused.value.params) == text.IMPORT_INTO_DEMO
    drawn = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(SITE)}]}
    with pytest.raises(ImportRefused) as refused, session_scope() as session:
        street_setup.save_boundary(session, drawn, "new_street", None, "330381009", "新街道", "admin",
                                   REFERENCE_TIME)
    assert import_page.drawn_refusal(refused.value.kind, refused.value.params) == text.IMPORT_INTO_DEMO
    assert "clear-demo" in text.IMPORT_INTO_DEMO


def test_after_clear_demo_the_deployments_own_street_goes_in(demo_copy):
    assert cli("clear-demo").exit_code == 0
    result = cli("import", communities_file(demo_copy), "--as", "communities", "--street", "330381009",
                 "--street-name", "新街道")
    assert result.exit_code == 0, result.output
    assert _rows()["area"] == 3  # the street and its two communities


def test_a_case_sheet_still_goes_into_the_demo(demo_copy):
    """Case sheets are cases, not geodata: in the demo they are demo cases, as those filed on the map are."""
    sheet = demo_copy / "诉求.csv"
    with session_scope() as session:
        lon, lat = session.execute(select(m.Building.lon, m.Building.lat).limit(1)).one()
    sheet.write_text(f"类别,描述,来源,经度,纬度\n环境卫生,楼道堆物,居民上报,{lon},{lat}\n", encoding="utf-8")
    before = _rows()["case"]
    result = cli("import", sheet, "--as", "cases")
    assert result.exit_code == 0, result.output
    assert _rows()["case"] == before + 1



def test_a_demo_admin_left_behind_is_no_admin_to_fall_back_on(demo_copy):
    from db import cache, users

    with session_scope() as session:
        session.execute(update(m.DataVersion).where(m.DataVersion.name == cache.ANY).values(note=None))
    result = cli("deactivate-user", "chief")
    assert result.exit_code != 0 and "chief is the last active admin" in result.output
    with session_scope() as session:
        assert users.active_admins(session) == ["chief"]
