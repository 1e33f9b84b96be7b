"""Field values checked against what the database will hold: numbers that parse and fit, text within its length."""
from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.importing.hygiene import problem
from geodata.importing.mapping import INT_FIELDS
from workflow.textcheck import is_storable


def _text(value) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number column read as float: 12.0 is the name "12"
    out = str(value).strip()
    return out or None


def _number(value):
    """(float or None, parsed?): blanks are no value; '12', ' 12 ', 12.0 are 12; 'abc' does not parse."""
    text = _text(value)
    if text is None:
        return None, True
    try:
        number = float(text)
    except ValueError:
        return None, False
    return (None, False) if math.isnan(number) else (number, True)  # the text "nan" is no count


def check(frame: gpd.GeoDataFrame, limits: dict[str, tuple]) -> tuple[gpd.GeoDataFrame, list[dict]]:
    """(the rows whose every value fits, one problem per value that does not).

    `limits` says what each field must be: ("int", lowest, highest) or ("text", max length), as the database
    columns say (db/importer.py reads them from the models). One check for every backend: SQLite would store a
    60-character name in a 50-character column, or a NUL character, where PostgreSQL refuses the whole transaction. Negative counts are
    a file's way of saying "unknown" and become empty rather than a refusal. Text is stored trimmed, as text.
    """
    problems: list[dict] = []
    bad = np.zeros(len(frame), dtype=bool)
    frame = frame.copy()
    rows, ids = frame["_row"].to_numpy(), frame["source_id"].to_numpy()
    for field, spec in limits.items():
        if field not in frame:
            continue
        out = []
        for i, value in enumerate(frame[field].to_numpy()):
            if spec[0] == "int":
                number, parsed = _number(value)
                if not parsed:
                    bad[i] = True
                    problems.append(problem(rows[i], ids[i], "not_number", f"{field}: {_text(value)!r}"))
                elif number is not None and field in INT_FIELDS and number < 0:
                    number = None
                elif number is not None and not (spec[1] <= number <= spec[2]):
                    bad[i] = True
                    problems.append(problem(rows[i], ids[i], "number_range",
                                            f"{field}: {_text(value)} (allowed {spec[1]}…{spec[2]})"))
                out.append(np.nan if number is None else number)
            else:
                text = _text(value)
                if text is not None and len(text) > spec[1]:
                    bad[i] = True
                    problems.append(problem(rows[i], ids[i], "too_long",
                                            f"{field}: {len(text)} characters, limit {spec[1]}"))
                elif text is not None and not is_storable(text):  # PostgreSQL refused NUL only at the commit
                    bad[i] = True
                    problems.append(problem(rows[i], ids[i], "bad_text",
                                            f"{field}: a NUL, control or lone surrogate character"))
                out.append(text)
        frame[field] = pd.Series(out, index=frame.index, dtype=float if spec[0] == "int" else object)
    return frame[~bad].copy(), problems
