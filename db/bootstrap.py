"""First run: bring the schema to head and, when the database is empty, seed the demo street."""
from __future__ import annotations

import logging

from db.migrate import upgrade_to_head
from db.seed import is_empty, write_demo
from geodata import demo

log = logging.getLogger(__name__)


def prepare(seed_if_empty: bool = True, scale: str = "S") -> bool:
    """Migrate; seed when empty. Returns True when it seeded."""
    upgrade_to_head()
    if not (seed_if_empty and is_empty()):
        return False
    log.warning("empty database: seeding demo scale %s (演示数据)", scale)
    write_demo(demo.generate(scale), progress=lambda msg: log.info("seed: %s", msg))
    return True
