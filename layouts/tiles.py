"""Optional background tiles. Default is none: the app draws its own roads and outlines, fully offline."""
from __future__ import annotations

import dash_leaflet as dl

from layouts import text

# Only used when TILE_PROVIDER asks for them; nothing is fetched with the default "none".
OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TIANDITU_URL = "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
AMAP_URL = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"


def tile_layers(provider: str, tianditu_key: str = "") -> list:
    if provider == "osm":
        return [dl.TileLayer(url=OSM_URL, maxZoom=19,
                             attribution='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>')]
    if provider == "tianditu":
        # 天地图 serves CGCS2000, which matches WGS-84 to centimetres: no shift needed.
        return [dl.TileLayer(url=TIANDITU_URL.format(layer=layer, key=tianditu_key), subdomains="01234567",
                             maxZoom=18, attribution=text.TILES_TIANDITU) for layer in ("vec", "cva")]
    if provider == "amap":
        # 高德 tiles are in GCJ-02; our layers are shifted to match (geodata.crs.geojson_to_gcj02).
        return [dl.TileLayer(url=AMAP_URL, subdomains="1234", maxZoom=18, attribution=text.TILES_AMAP)]
    return []
