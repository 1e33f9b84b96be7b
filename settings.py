"""Runtime configuration from environment variables, read here and nowhere else (DATABASE_URL: db/engine.py)."""
from __future__ import annotations

import datetime as dt
import os
import secrets
import time
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TILE_PROVIDERS = ("none", "osm", "tianditu", "amap")
INSTANCE_DIR = Path(__file__).resolve().parent / "instance"  # the SQLite file, the secret key, uploads, job state
MAX_BODY_KB = 2048  # default request body limit: the largest callback a staff page sends is a few hundred KB
TIME_ZONE = "Asia/Shanghai"  # every time the app writes, shows or exports is wall time here (JINLIN_TIMEZONE)
OPEN311_PERMISSIONS = ("read", "write")
ALL_STREETS = "all"


@dataclass(frozen=True)
class Settings:
    port: int
    secret_key: str
    tile_provider: str
    tianditu_key: str
    debug: bool
    secure_cookies: bool  # JINLIN_HTTPS=1 behind TLS: session cookies only over HTTPS
    open311_keys: dict  # api key → its Open311Key, from OPEN311_API_KEYS (see _open311_keys)
    max_body: int  # bytes a request body may have (JINLIN_MAX_BODY_KB); upload routes add their file's size
    # seconds between escalation runs in each server process (JINLIN_ESCALATE_EVERY; 0: off, cron runs
    # `flask --app app escalate` instead)
    escalate_every_s: int
    proxies: int = 0  # JINLIN_PROXIES: reverse proxies in front whose X-Forwarded-For/-Proto are believed (0: none)
    time_zone: str = TIME_ZONE  # JINLIN_TIMEZONE, an IANA name: the zone of every stored, shown and exported time


@lru_cache(maxsize=1)
def zone() -> zoneinfo.ZoneInfo:
    """The zone the street keeps its times in, whatever zone the machine's clock is set to."""
    name = os.environ.get("JINLIN_TIMEZONE", "").strip() or TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise SystemExit(f"JINLIN_TIMEZONE={name!r} is not an IANA time zone (e.g. Asia/Shanghai): {error}") from None


def now() -> dt.datetime:
    """Wall time in the street's zone, naive like every time the database keeps (they are all in that zone)."""
    return dt.datetime.now(zone()).replace(tzinfo=None)


def aware(value: dt.datetime) -> dt.datetime:
    """A stored (naive) time as the instant it names, for the few places that need an absolute time."""
    return value.replace(tzinfo=zone()) if value.tzinfo is None else value


def private_dir(path: Path) -> Path:
    """`path` (and any folder above it that is missing) made for this account alone: mode 0700, however it was."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)  # exist_ok: several workers may start at once
    if path.stat().st_mode & 0o777 != 0o700:
        os.chmod(path, 0o700)
    return path


def _local_secret() -> str:
    """Without SECRET_KEY: one random key kept in instance/, so every worker on this machine signs alike.

    Several machines behind a load balancer must share SECRET_KEY through the environment instead.
    """
    path = INSTANCE_DIR / "secret_key"
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


@dataclass(frozen=True)
class Open311Key:
    """Who calls the Open311 interface with a key, where (a street code, or None: every street) and whether it may
    create cases (write) or only read them."""

    system: str
    street: str | None
    permission: str

    @property
    def may_write(self) -> bool:
        return self.permission == "write"


def _open311_keys(raw: str) -> dict:
    """'system:key:scope:permission,…' (scope: all or a 9-digit street code; permission: read or write).

    The older 'system:key' stays valid and means all:write, what such a key could do before scopes existed.
    """
    keys = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        parts = [p.strip() for p in item.split(":")]
        if len(parts) == 2:
            parts += [ALL_STREETS, "write"]
        if len(parts) != 4:
            raise SystemExit(f"OPEN311_API_KEYS: {parts[0]!r}: entries are 'system:key:scope:permission' "
                             "(or the older 'system:key'), and keys contain no ':'")
        system, key, scope, permission = parts
        if len(key) < 16:
            raise SystemExit(f"OPEN311_API_KEYS: the key of {system!r} is shorter than 16 characters")
        if scope != ALL_STREETS and not (len(scope) == 9 and scope.isdigit()):
            raise SystemExit(f"OPEN311_API_KEYS: scope {scope!r} of {system!r} is neither 'all' nor a 9-digit street code")
        if permission not in OPEN311_PERMISSIONS:
            raise SystemExit(f"OPEN311_API_KEYS: permission {permission!r} of {system!r} is neither 'read' nor 'write'")
        if key in keys:
            raise SystemExit(f"OPEN311_API_KEYS: the key of {system!r} is given twice")
        keys[key] = Open311Key(system or "open311", None if scope == ALL_STREETS else scope, permission)
    return keys


def _kilobytes(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip() or str(default)
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"{name}={raw!r} is not a positive number of kilobytes")
    return int(raw) * 1024


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
    every = os.environ.get("JINLIN_ESCALATE_EVERY", "60").strip()
    if not every.isdigit():
        raise SystemExit(f"JINLIN_ESCALATE_EVERY={every!r} is not a number of seconds (0 turns it off)")
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
        max_body=_kilobytes("JINLIN_MAX_BODY_KB", MAX_BODY_KB),
        escalate_every_s=int(every),
        proxies=int(proxies_text),
        time_zone=zone().key,
    )
