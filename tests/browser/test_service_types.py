"""Service points are drawn from the one table of service types (workflow/vocab.py) on /public and the staff map."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from db import models as m
from tests.browser.conftest import serve
from tests.helpers import browser_login
from workflow.vocab import SERVICE_COLOUR

MEDIATION = "调解室"  # not public in the demo, and missing from /public's own colour table before it had none


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


@pytest.fixture(scope="module")
def mediation_server(tmp_path_factory, demo_data):
    """The demo street with its first 调解室 made public, on a server of its own (the shared one is left as it is)."""
    from db.engine import session_scope
    from db.migrate import upgrade_to_head
    from db.seed import write_demo
    from tests.conftest import new_database_url
    from tests.test_estimates import database_at

    folder = tmp_path_factory.mktemp("service-types")
    url = new_database_url(folder, "mediation")
    with database_at(url):
        upgrade_to_head()
        write_demo(demo_data)
        with session_scope() as session:
            point = session.execute(select(m.ServicePoint).where(m.ServicePoint.service_type == MEDIATION)
                                    .order_by(m.ServicePoint.code).limit(1)).scalar_one()
            session.execute(update(m.ServicePoint).where(m.ServicePoint.code == point.code).values(is_public=True))
            found = {"code": point.code, "name": point.name, "community": point.community_code}
    for base in serve(url, folder / "app.log"):
        yield base, found


def test_public_draws_a_mediation_room_in_the_tables_colour(page, mediation_server):
    base, point = mediation_server
    page.goto(f"{base}/public/?point={point['code']}")
    marker = page.locator(f'.pub-marker[title="{point["name"]}"]')
    marker.wait_for()
    assert marker.inner_text() == "调"
    # read from the marker on the page at that moment: the layer may redraw (a new element) while a busy box catches up
    colour = page.wait_for_function("""title => {
        const el = [...document.querySelectorAll('.pub-marker')].find(e => e.title === title);
        return (el && getComputedStyle(el).backgroundColor) || null; }""", arg=point["name"]).json_value()
    assert colour == _rgb(SERVICE_COLOUR[MEDIATION])


def test_staff_map_draws_every_type_in_the_tables_colour(page, mediation_server):
    base, point = mediation_server
    browser_login(page, base, "admin")
    page.goto(f"{base}/?area={point['community']}")
    page.locator(f'.svc-icon[data-type="{MEDIATION}"]').first.wait_for()
    drawn = page.evaluate("""() => Array.from(document.querySelectorAll('.svc-icon'),
                               el => [el.getAttribute('data-type'), getComputedStyle(el).backgroundColor])""")
    assert drawn
    assert {(kind, colour) for kind, colour in drawn} == {(kind, _rgb(SERVICE_COLOUR[kind])) for kind, _ in drawn}
