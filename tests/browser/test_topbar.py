"""One top bar on every staff page, in real Chromium: the links the role may open, the person's name, and 退出."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.helpers import browser_login
from tests.test_pages import NAME_OF, ROLE_OF, expected_links, staff_pages

# screenshots to look at (not asserted on): JINLIN_SHOTS, or the system's temp folder
SHOTS = Path(os.environ.get("JINLIN_SHOTS") or tempfile.gettempdir()) / "jinlin-topbar"
# Where everything in the bar sits: every piece inside the window, on the bar's one line.
LAYOUT = """() => {
  const bar = document.querySelector('header.topbar'), box = bar.getBoundingClientRect();
  const parts = [...bar.querySelectorAll('.brand, .nav-link, .user-box, .logout-btn')]
    .map(e => e.getBoundingClientRect());
  return {height: box.height, width: window.innerWidth, overflow: bar.scrollWidth > bar.clientWidth,
          outside: parts.filter(r => r.left < 0 || r.right > window.innerWidth || r.top < box.top
                                     || r.bottom > box.bottom).length};
}"""


# the admin's bar is the longest: it is checked on a wide screen and a small laptop, the others on the laptop
SIZES = {"admin": ((1920, 1080), (1366, 768)), "street": ((1366, 768),), "grid": ((1366, 768),)}


@pytest.mark.parametrize("username", list(SIZES))
def test_each_staff_page_shows_the_roles_links_name_and_logout(page, live_server, username):
    from layouts import text

    browser_login(page, live_server, username)
    name = text.person_label(NAME_OF[username], ROLE_OF[username])
    pages = staff_pages(username)
    for path in pages:
        page.set_viewport_size(dict(zip(("width", "height"), SIZES[username][0])))
        page.goto(live_server + path)
        bar = page.locator("header.topbar")
        bar.wait_for()
        links = bar.locator("a.nav-link")
        assert [(links.nth(i).inner_text(), links.nth(i).get_attribute("href")) for i in range(links.count())] \
            == expected_links(username), path
        assert bar.locator("a.nav-link.active").get_attribute("href") == path
        assert bar.locator(".user-box").inner_text() == name
        assert bar.get_by_role("button", name=text.LOGOUT).is_visible()
        page.wait_for_load_state("networkidle")  # the page's own first callbacks have answered
        for width, height in SIZES[username]:
            page.set_viewport_size({"width": width, "height": height})
            placed = page.evaluate(LAYOUT)
            assert placed["height"] == 56 and not placed["overflow"] and placed["outside"] == 0, (path, width, placed)
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{username}-{path.strip('/').replace('/', '-') or 'map'}-{width}.png"),
                            clip={"x": 0, "y": 0, "width": width, "height": 56})

    # 退出 ends the session: the page goes to the login form, and a staff page sends it there again
    page.locator("header.topbar").get_by_role("button", name=text.LOGOUT).click()
    page.wait_for_url(live_server + "/login")
    page.goto(live_server + pages[0])
    page.wait_for_url(f"{live_server}/login?next=/")
    page.locator("#username").wait_for()


def test_the_screen_and_the_public_page_keep_their_own_chrome(page, live_server):
    browser_login(page, live_server, "admin")
    page.goto(live_server + "/screen/")
    page.locator("#screen-clock").wait_for()
    assert page.locator("header.topbar").count() == 0
    page.goto(live_server + "/public/")
    page.locator("#public-count").wait_for()
    assert page.locator("header.topbar").count() == 0
    page.wait_for_load_state("networkidle")
