"""Coverage standards: walking radius per service type (GB 50180-2018 life circles), walking speeds, detour factor."""
from __future__ import annotations

from workflow.vocab import SERVICE_TYPES, STANDARD_RADIUS_M

# Sources and reasoning for every default: docs/standards.md.
DEFAULTS = {
    "radius_m": dict(STANDARD_RADIUS_M),
    "walk_speed_m_per_min": 72.0,  # 1.2 m/s
    "elderly_speed_m_per_min": 54.0,  # 0.9 m/s for residents over 60
    "detour_factor": 1.3,  # straight line × this when an area has no roads to walk on
    "min_seats_per_100_elderly": 10.0,  # 2SFCA: less than this within reach counts as a capacity gap
}
LIMITS = {"radius_m": (50, 3000), "walk_speed_m_per_min": (20, 150), "elderly_speed_m_per_min": (10, 150),
          "detour_factor": (1.0, 3.0), "min_seats_per_100_elderly": (0.0, 100.0)}


class StandardsError(ValueError):
    """A standard outside its sensible range; `field` names which one."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _number(value, field: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise StandardsError(field, f"{field} must be a number, got {value!r}") from None
    low, high = LIMITS["radius_m" if field.startswith("radius_m") else field]
    if not low <= number <= high:
        raise StandardsError(field, f"{field} must lie between {low} and {high}, got {number}")
    return number


def validate(raw: dict | None) -> dict:
    """A complete standards dict from a partial one (missing keys take defaults); raises StandardsError."""
    raw = raw or {}
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULTS.items()}
    radii = raw.get("radius_m") or {}
    if not isinstance(radii, dict):
        raise StandardsError("radius_m", "radius_m must map service types to metres")
    for service_type, metres in radii.items():
        if service_type not in SERVICE_TYPES:
            raise StandardsError("radius_m", f"unknown service type {service_type!r}")
        out["radius_m"][service_type] = int(round(_number(metres, f"radius_m.{service_type}")))
    for field in ("walk_speed_m_per_min", "elderly_speed_m_per_min", "detour_factor", "min_seats_per_100_elderly"):
        if raw.get(field) is not None:
            out[field] = _number(raw[field], field)
    return out


def radius(standards: dict, service_type: str) -> int:
    return int(standards["radius_m"].get(service_type, 1000))


def minutes(standards: dict, metres: float, elderly: bool = False) -> float:
    """Walking minutes for a distance, at the slower pace for residents over 60 when `elderly`."""
    speed = standards["elderly_speed_m_per_min" if elderly else "walk_speed_m_per_min"]
    return metres / speed
