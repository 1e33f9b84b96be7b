"""Runtime configuration from environment variables, read here and nowhere else (DATABASE_URL: db/engine.py)."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

TILE_PROVIDERS = ("none", "osm", "tianditu", "amap")


@dataclass(frozen=True)
class Settings:
    port: int
    secret_key: str
    tile_provider: str
    tianditu_key: str
    debug: bool


def load() -> Settings:
    provider = os.environ.get("TILE_PROVIDER", "none").strip().lower() or "none"
    if provider not in TILE_PROVIDERS:
        raise SystemExit(f"TILE_PROVIDER={provider!r} is not one of {', '.join(TILE_PROVIDERS)}")
    key = os.environ.get("TIANDITU_KEY", "").strip()
    if provider == "tianditu" and not key:
        raise SystemExit("TILE_PROVIDER=tianditu needs TIANDITU_KEY (a 天地图 browser key)")
    port_text = os.environ.get("PORT", "8050")
    if not port_text.isdigit():
        raise SystemExit(f"PORT={port_text!r} is not a port number")
    return Settings(
        port=int(port_text),
        # Without SECRET_KEY each start signs sessions anew; fine for one demo process, set it in production.
        secret_key=os.environ.get("SECRET_KEY") or secrets.token_hex(32),
        tile_provider=provider,
        tianditu_key=key,
        debug=os.environ.get("JINLIN_DEBUG", "") == "1",
    )
