"""Intake photos: real images are kept re-encoded without EXIF; anything else is refused with a reason."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image
from sqlalchemy import select

from db import cases, models as m
from db.access import SYSTEM, Viewer
from workflow import photos

NOW = dt.datetime(2026, 11, 20, 10, 0)


def _jpeg_with_gps(size=(3000, 2000)) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x8825] = {2: (27.0, 46.0, 12.0), 4: (120.0, 37.0, 25.0)}  # GPSInfo: where the resident lives
    exif[0x010F] = "手机厂商"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_a_photo_is_shrunk_and_loses_its_exif():
    data, width, height = photos.prepare_photo(_jpeg_with_gps())
    assert (width, height) == (1600, 1067)
    with Image.open(io.BytesIO(data)) as kept:
        assert kept.format == "JPEG" and kept.size == (1600, 1067)
        assert dict(kept.getexif()) == {}


@pytest.mark.parametrize("data, message", [
    (b"", "空文件"),
    (b"%PDF-1.7 not an image", "不是可识别的图片"),
    (_jpeg_with_gps((40, 40))[:200], "损坏或不完整"),
    (b"x" * (photos.MAX_BYTES + 1), "不能超过 5 MB"),
])
def test_bad_photos_are_refused_with_a_reason(data, message):
    with pytest.raises(photos.PhotoError, match=message):
        photos.prepare_photo(data)


def test_a_huge_canvas_is_refused_before_it_is_decoded():
    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, format="PNG")  # tiny file, 81 megapixels once decoded
    assert len(out.getvalue()) < photos.MAX_BYTES
    with pytest.raises(photos.PhotoError, match="像素过大"):
        photos.prepare_photo(out.getvalue())


def test_the_photo_is_stored_with_the_case_and_only_its_readers_get_it(session):
    b = session.execute(select(m.Building).where(m.Building.grid_code == "33038100100101").limit(1)).scalar_one()
    p = b.geometry.representative_point()
    prepared = photos.prepare_photo(_jpeg_with_gps((800, 600)))
    code = cases.create_case(session, cases.NewCase(category="设施维修", description="井盖松动", source="网格巡查",
                                                    lon=p.x, lat=p.y), "网格员甲", SYSTEM, NOW, photos=(prepared,)).code
    detail = cases.get_case(session, code, SYSTEM, NOW)
    assert len(detail["photos"]) == 1
    data, kind = cases.get_photo(session, code, detail["photos"][0], Viewer("grid_leader", "33038100100101"))
    assert kind == "image/jpeg" and data == prepared[0]
    with pytest.raises(cases.NotFound):
        cases.get_photo(session, code, detail["photos"][0], Viewer("grid_leader", "33038100100102"))


def test_merging_writes_into_both_trails(session):
    b = session.execute(select(m.Building).where(m.Building.grid_code == "33038100100101").limit(1)).scalar_one()
    p = b.geometry.representative_point()

    def new(text):
        return cases.create_case(session, cases.NewCase(category="绿化养护", description=text, source="网格巡查",
                                                        lon=p.x, lat=p.y), "网格员甲", SYSTEM, NOW).code

    first, second = new("绿地被毁种菜"), new("又见绿地种菜")
    suggested = {c["code"] for c in cases.similar_open_cases(session, "绿化养护", p.x, p.y, NOW, SYSTEM)}
    assert {first, second} <= suggested
    cases.act(session, second, "merge", "网格员甲", SYSTEM, 1, NOW, merge_into=first)
    target = cases.get_case(session, first, SYSTEM, NOW)
    merged = cases.get_case(session, second, SYSTEM, NOW)
    assert merged["status"] == "重复" and target["status"] == "待受理"
    assert [e["action"] for e in target["events"]] == ["登记", "合并重复件"]
    assert target["events"][-1]["note"] == f"{second} 作为重复件合并至此"
    assert [e["action"] for e in merged["events"]] == ["登记", "合并为重复"]
    assert merged["events"][-1]["note"] == f"合并至 {first}"
