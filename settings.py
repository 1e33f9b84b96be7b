"""Runtime configuration from environment variables, read here and nowhere else (DATABASE_URL: db/engine.py)."""
from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

TILE_PROVIDERS = ("none", "osm", "tianditu", "amap")


@dataclass(frozen=True)
class Settings:
    port: int
    secret_key: str
    tile_provider: str
    tianditu_key: str
    debug: bool
    secure_cookies: bool  # JINLIN_HTTPS=1 behind TLS: session cookies only over HTTPS
    open311_keys: dict  # api key → the system it belongs to, from OPEN311_API_KEYS="12345热线:key1,网格系统:key2"
    proxies: int = 0  # JINLIN_PROXIES: reverse proxies in front whose X-Forwarded-For/-Proto are believed (0: none)


def _local_secret() -> str:
    """Without SECRET_KEY: one random key kept in instance/, so every worker on this machine signs alike.

    Several machines behind a load balancer must share SECRET_KEY through the environment instead.
    """
    path = Path(__file__).resolve().parent / "instance" / "secret_key"
    path.parent.mkdir(exist_ok=True)
    try:
        # O_EXCL: when several workers start at once, exactly one writes the key and the others read it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.02)
        raise SystemExit(f"{path} is empty: delete it or set SECRET_KEY")
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as out:
        out.write(key)
    return key


def _open311_keys(raw: str) -> dict:
    keys = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        label, sep, key = item.rpartition(":")
        if not sep or len(key) < 16:
            raise SystemExit("OPEN311_API_KEYS: entries are 'system:key' with keys of at least 16 characters")
        keys[key] = label or "open311"
    return keys


def load() -> Settings:
    provider = os.environ.get("TILE_PROVIDER", "none").strip().lower() or "none"
    if provider not in TILE_PROVIDERS:
        raise SystemExit(f"TILE_PROVIDER={provider!r} is not one of {', '.join(TILE_PROVIDERS)}")
    key = os.environ.get("TIANDITU_KEY", "").strip()
    if provider == "tianditu" and not key:
        raise SystemExit("TILE_PROVIDER=tianditu needs TIANDITU_KEY (a Tianditu browser key)")
    port_text = os.environ.get("PORT", "8050")
    if not port_text.isdigit():
        raise SystemExit(f"PORT={port_text!r} is not a port number")
    proxies_text = os.environ.get("JINLIN_PROXIES", "0").strip() or "0"
    if not proxies_text.isdigit() or int(proxies_text) > 5:
        raise SystemExit(f"JINLIN_PROXIES={proxies_text!r}: the number of reverse proxies in front of the app, 0–5")
    return Settings(
        port=int(port_text),
        secret_key=os.environ.get("SECRET_KEY") or _local_secret(),
        tile_provider=provider,
        tianditu_key=key,
        debug=os.environ.get("JINLIN_DEBUG", "") == "1",
        secure_cookies=os.environ.get("JINLIN_HTTPS", "") == "1",
        open311_keys=_open311_keys(os.environ.get("OPEN311_API_KEYS", "")),
        proxies=int(proxies_text),
    )
