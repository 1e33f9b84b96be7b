"""Fuzzing the GeoJSON importer: whatever bytes arrive, the answer is a clean plan or ImportRefused, never a crash."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from geodata.importing.errors import ImportRefused
from geodata.importing.prepare import prepare
from geodata.importing.readers import read_source

pytestmark = pytest.mark.backend_free  # no database: the SQLite pass alone runs it

number = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**6, 10**6),
                   st.just(120.63), st.just(27.77), st.text(max_size=3), st.none())
good = st.tuples(st.floats(120.60, 120.70), st.floats(27.70, 27.80)).map(list)
position = st.one_of(good, good, good, good, good, good, st.lists(number, min_size=0, max_size=4))
ring = st.one_of(st.lists(good, min_size=3, max_size=6).map(lambda r: r + r[:1]), st.lists(position, max_size=6))
geometry = st.one_of(
    st.none(),
    st.fixed_dictionaries({"type": st.sampled_from(["Point", "Polygon", "LineString", "MultiPolygon", "Nonsense"]),
                           "coordinates": st.one_of(position, st.lists(ring, max_size=3), ring, number)}),
    st.dictionaries(st.text(max_size=5), number, max_size=3),
)
feature = st.fixed_dictionaries({"type": st.sampled_from(["Feature", "Feature", "Thing"]), "geometry": geometry,
                                 "properties": st.dictionaries(st.sampled_from(["name", "名称", "id", "层数"]), number,
                                                               max_size=3)})
closed = st.lists(good, min_size=3, max_size=6).map(lambda r: r + r[:1])
plausible = st.fixed_dictionaries({"type": st.just("Feature"), "properties": st.fixed_dictionaries({"name": number}),
                                   "geometry": st.one_of(
                                       st.fixed_dictionaries({"type": st.just("Polygon"),
                                                              "coordinates": st.lists(closed, min_size=1, max_size=2)}),
                                       st.fixed_dictionaries({"type": st.just("Point"), "coordinates": good}))})
document = st.fixed_dictionaries({"type": st.sampled_from(["FeatureCollection", "FeatureCollection", "Feature"]),
                                  "features": st.one_of(st.lists(feature, max_size=5),
                                                        st.lists(plausible, min_size=1, max_size=6))})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=document, cut=st.one_of(st.just(0), st.just(0), st.integers(min_value=1, max_value=400)),
       kind=st.sampled_from(["buildings", "service-points"]))
def test_broken_geojson_gives_a_plan_or_a_refusal(tmp_path, doc, cut, kind):
    body = json.dumps(doc, ensure_ascii=False, allow_nan=True)
    if cut:
        body = body[: max(1, len(body) - cut)]  # truncated uploads too
    path = tmp_path / "fuzz.geojson"
    path.write_text(body, encoding="utf-8")
    try:
        prepared = prepare(read_source(path), kind, crs="EPSG:4326")
    except ImportRefused as refused:
        assert refused.kind and refused.detail
        return
    frame = prepared.frame
    assert frame.geometry.notna().all() and frame.geometry.is_valid.all()
    assert len(frame) + sum(prepared.counts[k] for k in ("empty", "wrong_type", "degenerate", "duplicate",
                                                          "out_of_range", "bad_value")) == prepared.counts["read"]
