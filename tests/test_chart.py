"""The panel's monthly chart in plain HTML: the columns say the right totals and the segments add up."""
from __future__ import annotations

import pandas as pd
import pytest

from layouts import map_page

pytestmark = pytest.mark.backend_free  # no database: the SQLite pass alone runs it


def _walk(component, cls):
    found = []
    if getattr(component, "className", None) and cls in component.className.split():
        found.append(component)
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if hasattr(child, "to_plotly_json"):
            found += _walk(child, cls)
    return found


def test_columns_show_monthly_totals_and_segments_scale_to_the_axis():
    monthly = pd.DataFrame({"month": ["2026-10", "2026-10", "2026-11"], "category": ["环境卫生", "噪音扰民", "环境卫生"],
                            "count": [12, 6, 3]})
    chart = map_page.monthly_chart(monthly)
    assert [c.children for c in _walk(chart, "bar-total")] == ["18", "3"]
    assert [c.children for c in _walk(chart, "bar-label")] == ["10月", "11月"]
    segments = _walk(chart, "bar-seg")
    assert [s.title for s in segments] == ["10月 环境卫生 12 件", "10月 噪音扰民 6 件", "11月 环境卫生 3 件"]
    # the axis tops out at 20 for a tallest column of 18: heights are shares of 20
    assert [s.style["height"] for s in segments] == ["60.00%", "30.00%", "15.00%"]
    assert [c.children for c in _walk(chart, "bar-axis")[0].children] == ["20", "10", "0"]


def test_no_cases_says_so():
    empty = pd.DataFrame(columns=["month", "category", "count"])
    assert map_page.monthly_chart(empty).children == "暂无数据"
