"""The daily tasks a person does, timed in headless Chromium as they do them: wall clock from the click to what they
wait for on screen.

    python bench/core_tasks.py [--scale S] [--runs 5] [--port 8092] [--database-url URL]

Tasks (each run in a fresh browser context, so nothing is cached but the server's own caches):
  login → street map   submit the login form → the street's panel title and the map's compounds drawn
  drill                click a community on the map → its panel title
  intake               submit a case on a building's panel → the panel says it was taken in
  case list            open /cases/ → the first rows in the grid
  /public/ on a phone  open /public/ at 390×844 → the first result in the list

Prints a table of median and worst seconds per task; JSON to bench/out/core_tasks-<scale>.json. Cases taken in by
the intake task are marked (描述 starts with 基准测试) and deleted at the end. Run on a quiet box and compare runs
on the same machine only."""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.map_speed import OUT, AppServer, BenchError, prepare_database, say, sqlite_url  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]
STREET = "330381001"
COMMUNITY_NAME = "昌亭社区"
MARK = "基准测试"
WAIT_MS = 60_000


def _timed(action, wait) -> float:
    started = time.perf_counter()
    action()
    wait()
    return time.perf_counter() - started


def _login(page, base: str) -> float:
    page.goto(base + "/login")
    page.fill("#username", "admin")
    page.fill("#password", "demo-admin-2026")
    return _timed(lambda: page.click("button[type=submit]"),
                  lambda: (page.wait_for_url(base + "/"),
                           page.wait_for_selector(".panel-title"),
                           page.wait_for_function("() => document.querySelectorAll("
                                                  "'.leaflet-overlay-pane path, .leaflet-overlay-pane canvas').length > 0")))


def _drill(page, base: str) -> float:
    # the breadcrumb-free way a person drills: the community's link in the street's panel list or a map click; the
    # panel link is a stable target across scales
    link = page.locator(f".child-link:text-is('{COMMUNITY_NAME}')")
    link.wait_for()
    return _timed(link.click, lambda: page.wait_for_selector(f".panel-title:text-is('{COMMUNITY_NAME}')"))


def _intake(page, base: str, building: str, n: int) -> float:
    page.goto(f"{base}/?area={building}")
    page.wait_for_selector("#intake-description")
    page.click("#intake-category")
    page.get_by_role("option", name="设施维修").click()
    page.fill("#intake-description", f"{MARK}：第 {n} 次登记")
    return _timed(lambda: page.click("#intake-submit"),
                  lambda: page.wait_for_selector("#intake-message:has-text('已登记')"))


def _case_list(page, base: str) -> float:
    return _timed(lambda: page.goto(base + "/cases/"), lambda: page.wait_for_selector(".ag-center-cols-container .ag-row"))


def _public(page, base: str) -> float:
    return _timed(lambda: page.goto(base + "/public/"), lambda: page.wait_for_selector("#public-list > li.pub-item"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="S")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=8092)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = args.database_url or sqlite_url(prepare_database(args.scale))
    server = AppServer(url, args.port, f"core-{args.scale}")
    times: dict[str, list[float]] = {k: [] for k in ("login → street map", "drill", "intake", "case list",
                                                      "/public/ on a phone")}
    try:
        server.wait_healthy()
        base = server.base
        from sqlalchemy import create_engine, delete, select
        from db import models as m

        engine = create_engine(url)
        with engine.connect() as c:
            building = c.execute(select(m.Building.code).where(m.Building.community_code.like(f"{STREET}%"))
                                 .order_by(m.Building.code).limit(1)).scalar_one()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for run in range(args.runs):
                context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
                page = context.new_page()
                page.set_default_timeout(WAIT_MS)
                times["login → street map"].append(_login(page, base))
                times["drill"].append(_drill(page, base))
                times["intake"].append(_intake(page, base, building, run))
                times["case list"].append(_case_list(page, base))
                context.close()
                phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
                page = phone.new_page()
                page.set_default_timeout(WAIT_MS)
                times["/public/ on a phone"].append(_public(page, base))
                phone.close()
                say(f"run {run + 1}/{args.runs} done")
            browser.close()
        with engine.begin() as c:
            marked = select(m.Case.id).where(m.Case.description.like(f"{MARK}%")).scalar_subquery()
            for model in (m.CaseEvent, m.CasePhoto):
                c.execute(delete(model).where(model.case_id.in_(marked)))
            c.execute(delete(m.Case).where(m.Case.description.like(f"{MARK}%")))
    except BenchError as error:
        say(str(error))
        return 2
    finally:
        server.stop()
    print(f"| task (scale {args.scale}, {args.runs} runs) | median s | worst s |")
    print("|---|---:|---:|")
    for task, values in times.items():
        print(f"| {task} | {statistics.median(values):.2f} | {max(values):.2f} |")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"core_tasks-{args.scale}.json").write_text(json.dumps(times, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
