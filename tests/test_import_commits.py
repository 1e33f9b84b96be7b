"""Preview = commit, and one upload imports once: the case sheet on /cases/ and a layer on /admin/import/.

The callbacks are called as the page calls them (tests/helpers.acting_as), on a database of the test's own, and a
commit that two requests make at once is made from two threads that meet at a barrier once both have read the file.
"""
from __future__ import annotations

import base64
import threading

import pandas as pd
from sqlalchemy import func, select, update

from layouts import text
from tests.helpers import acting_as, demo_street_as_real_data
from tests.test_case_import import _xlsx as xlsx

GRID = "33038100100101"
MARK = "提交测试"
SHEET_HEADER = ["编号", "类别", "描述", "来源", "经度", "纬度", "反映人", "联系电话"]


def _spot() -> tuple[float, float]:
    from db import models as m
    from db.engine import session_scope

    with session_scope() as s:
        b = s.execute(select(m.Building).where(m.Building.grid_code == GRID).order_by(m.Building.code)
                      .limit(1)).scalar_one()
        p = b.geometry.representative_point()
        return round(p.x, 6), round(p.y, 6)


def _data_url(raw: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(raw).decode()


def _sheet(rows) -> str:
    return _data_url(xlsx(rows, SHEET_HEADER))


def _marked() -> int:
    from db import models as m
    from db.engine import session_scope

    with session_scope() as s:
        return s.execute(select(func.count()).select_from(m.Case).where(m.Case.description.like(f"{MARK}%"))).scalar()


def _preview_sheet(rows) -> tuple:
    from callbacks.cases import preview_import

    with acting_as("admin"):
        kept, _hidden, summary, problems, _label, _no_commit, message = preview_import(_sheet(rows), "诉求.xlsx", None)
    return kept, summary, problems, message


def _commit_sheet(kept) -> str:
    from callbacks.cases import commit_import

    with acting_as("admin"):
        return commit_import(1, kept)[0]


def _problem_text(problems) -> str:
    return "" if not problems else " ".join(str(cell.children) for row in problems[0].children[1].children
                                            for cell in row.children)


def test_case_sheet_preview_shows_every_row_the_commit_would_refuse(own_database):
    lon, lat = _spot()
    kept, summary, problems, _ = _preview_sheet([
        [None, "环境卫生", f"{MARK}：楼道堆物", "居民上报", lon, lat, "王五", "13900002222"],
        [None, "设施维修", f"{MARK}：路灯不亮", "网格巡查", lon, lat, "李四", "12345"],          # row 3: the phone
        [None, "噪音扰民", f"{MARK}：夜间施工", "12345", lon, lat, "张" * 51, None],              # row 4: the name
    ])
    # main's preview said 3 valid, and its commit then refused the phone and wrote nothing
    assert "可导入 1 行，有问题 2 行" in summary
    shown = _problem_text(problems)
    assert "联系电话格式不正确" in shown and "反映人姓名不能超过 50 字" in shown
    assert _commit_sheet(kept).startswith("已导入 1 件诉求") and _marked() == 1


def test_case_sheet_commit_refuses_when_the_database_changed_since_the_preview(own_database):
    from db import models as m
    from db.engine import session_scope

    lon, lat = _spot()
    kept, summary, _, _ = _preview_sheet([["AJ9999901", "环境卫生", f"{MARK}：楼道堆物", "居民上报", lon, lat, None, None],
                                          [None, "设施维修", f"{MARK}：路灯不亮", "网格巡查", lon, lat, None, None]])
    assert "可导入 2 行" in summary
    with session_scope() as s:  # meanwhile the sheet's first code was given to a case
        first = s.execute(select(m.Case.id).order_by(m.Case.id).limit(1)).scalar_one()
        s.execute(update(m.Case).where(m.Case.id == first).values(code="AJ9999901"))
    message = _commit_sheet(kept)
    assert "检查结果与预览不同（预览时可导入 2 行，现在 1 行），没有写入任何数据" in message and _marked() == 0


def _together(monkeypatch, module, name: str, commit, argument) -> list[str]:
    """`commit(argument)` from two threads at once, both past reading the upload (`module.name`) before either writes."""
    meet = threading.Barrier(2, timeout=60)
    reading = getattr(module, name)

    def read_then_wait(*args, **kwargs):
        found = reading(*args, **kwargs)
        meet.wait()
        return found

    monkeypatch.setattr(module, name, read_then_wait)
    answers: list = [None, None]

    def run(i):
        try:
            answers[i] = commit(argument)
        except Exception as err:  # an error is an answer too: the test shows it
            answers[i] = f"{type(err).__name__}: {err}"

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    monkeypatch.setattr(module, name, reading)
    return sorted(map(str, answers))


def test_two_simultaneous_commits_of_one_sheet_import_it_once(own_database, monkeypatch):
    from callbacks import cases as case_callbacks

    lon, lat = _spot()
    kept, summary, _, _ = _preview_sheet([[None, "环境卫生", f"{MARK}：楼道堆物", "居民上报", lon, lat, None, None],
                                          [None, "设施维修", f"{MARK}：路灯不亮", "网格巡查", lon, lat, None, None]])
    answers = _together(monkeypatch, case_callbacks, "_read_sheet", _commit_sheet, kept)
    print(answers)
    assert _marked() == 2  # main imported the sheet twice: 4
    assert answers[0].startswith("导入失败，未写入任何数据：这份文件已经导入过（或正在导入）")
    assert answers[1].startswith("已导入 2 件诉求")


# --- a layer on /admin/import/ ---

def _points_upload(tmp_path, n: int = 3, names: list[str] | None = None) -> tuple[dict, dict]:
    """A CSV of canteens inside the demo street (taken as real data: imports into the demo are refused), received
    and previewed on the import page: (store, options, problems shown)."""
    from callbacks import importing
    from db import models as m
    from db.engine import session_scope

    with session_scope() as s:
        area = s.execute(select(m.Area).where(m.Area.code == GRID)).scalar_one()
        c = area.geometry.representative_point()
    names = names or [f"{MARK}食堂{i}" for i in range(n)]
    frame = pd.DataFrame({"编号": [f"ST-{i}" for i in range(n)], "名称": names,
                          "类型": ["爱心食堂"] * n, "经度": [c.x + i * 1e-5 for i in range(n)], "纬度": [c.y] * n})
    raw = frame.to_csv(index=False).encode()
    demo_street_as_real_data()
    with acting_as("admin"):
        store, *_ = importing.receive_file(_data_url(raw), "食堂.csv", None)
        out = importing.preview(1, store, "service-points", "EPSG:4326", None, None, [], [])
    summary, options = out[0], out[5]
    assert options, summary
    return store, options, out[1]


def _commit_layer(stores) -> str:
    from callbacks import importing

    store, options, _problems = stores
    with acting_as("admin"):
        return importing.commit(1, options, store)[0]


def _points_named() -> int:
    from db import models as m
    from db.engine import session_scope

    with session_scope() as s:
        return s.execute(select(func.count()).select_from(m.ServicePoint)
                         .where(m.ServicePoint.name.like(f"{MARK}%"))).scalar()


def test_two_simultaneous_commits_of_one_layer_import_it_once(own_database, monkeypatch, tmp_path):
    from callbacks import importing

    stores = _points_upload(tmp_path)
    answers = _together(monkeypatch, importing.uploads, "kept", _commit_layer, stores)
    print(answers)
    assert _points_named() == 3
    assert sorted(answers) == sorted([text.IMPORT_DONE.format(new=3, updated=0),
                                      text.FILE_REFUSALS["upload_used"]])


def test_layer_commit_refuses_when_it_would_write_other_rows_than_its_preview(own_database, tmp_path):
    first, second = _points_upload(tmp_path), _points_upload(tmp_path)
    assert _commit_layer(first).startswith("导入完成：新增 3")
    # the same file previewed before the first went in: now it would change nothing
    assert _commit_layer(second) == text.FILE_REFUSALS["preview_changed"].format(before=3, now=0)
    assert _points_named() == 3


def test_layer_preview_refuses_the_text_a_database_cannot_store(own_database, tmp_path):
    # PostgreSQL refuses a NUL in text: main's preview took the row and its commit failed as a whole
    upload = _points_upload(tmp_path, names=[f"{MARK}食堂0", f"{MARK}食堂\x001", f"{MARK}食堂2"])
    assert upload[1]["expect"] == 2
    assert "第 3 行：含有无法保存的字符（如空字符、控制字符），已拒绝" in str(upload[2])
    assert _commit_layer(upload).startswith("导入完成：新增 2") and _points_named() == 2
