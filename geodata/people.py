"""People for 资源下沉: volunteers matched to short-handed posts by walking time, volunteer deserts, grid workload."""
from __future__ import annotations

import numpy as np

HOUSEHOLDS_PER_GRID = (300, 500)  # the usual size of a 网格 in the field's practice
_FORBIDDEN = 1e9


def match(minutes: np.ndarray, limit: float) -> list[tuple[int, int]]:
    """Min-total-walk assignment of volunteers (rows) to open slots (columns), each at most once, only within `limit`.

    Among assignments that fill the most slots, the one with the least total walking time.
    """
    minutes = np.asarray(minutes, float)
    if minutes.size == 0:
        return []
    allowed = np.isfinite(minutes) & (minutes <= limit)
    # A pair beyond the limit costs more than any set of allowed pairs: the solver fills as many slots as it can.
    cost = np.where(allowed, minutes, _FORBIDDEN)
    from scipy.optimize import linear_sum_assignment  # here: scipy.optimize is a second of every server's start

    rows, cols = linear_sum_assignment(cost)
    return [(int(r), int(c)) for r, c in zip(rows, cols) if allowed[r, c]]


def deserts(minutes: np.ndarray, limit: float) -> np.ndarray:
    """Posts (columns) that no volunteer (rows) lives within `limit` minutes of."""
    minutes = np.asarray(minutes, float)
    if minutes.shape[0] == 0:
        return np.ones(minutes.shape[1], bool)
    return ~(minutes <= limit).any(axis=0)


def workload(households: int, band: tuple[int, int] = HOUSEHOLDS_PER_GRID) -> str:
    """'over', 'under' or 'ok' against the usual households per grid."""
    low, high = band
    return "over" if households > high else "under" if households < low else "ok"
