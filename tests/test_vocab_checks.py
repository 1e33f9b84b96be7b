"""The check constraints that hold the domain's words: generated from workflow.vocab, the same text as the migrations."""
from __future__ import annotations

import importlib.util

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from db import models as m
from db.migrate import MIGRATIONS, alembic_config

CASE_CHECKS = ("level_known", "satisfaction_known", "source_known", "status_known")


def _migration(name: str):
    spec = importlib.util.spec_from_file_location(name, MIGRATIONS / "versions" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _checks(table) -> dict[str, str]:
    return {c.name: str(c.sqltext) for c in table.constraints if isinstance(c, sa.CheckConstraint)}


def test_case_checks_of_the_model_are_those_of_migration_0008():
    frozen = _migration("0008_vocab_checks").CHECKS
    assert _checks(m.Case.__table__) == {f"ck_case_{name}": text for name, text in frozen.items()}


def test_wish_checks_generated_from_the_enums_keep_the_text_of_migration_0003():
    source = (MIGRATIONS / "versions" / "0003_settings_photos_wishes.py").read_text(encoding="utf-8")
    for text in _checks(m.Wish.__table__).values():
        assert text in source


@pytest.mark.parametrize("column, value", [("status", "已解决"), ("level", "区县"), ("source", "来电"),
                                           ("satisfaction", "一般")])
def test_a_case_with_an_unknown_word_is_refused(session, column, value):
    code = session.execute(select(m.Case.code).order_by(m.Case.code).limit(1)).scalar_one()
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            session.execute(update(m.Case).where(m.Case.code == code).values({column: value})
                            .execution_options(synchronize_session=False))


def test_migration_0008_goes_down_and_up(tmp_path):
    from tests.conftest import new_database_url

    engine = sa.create_engine(new_database_url(tmp_path, "checks"))
    cfg = alembic_config()
    try:
        for target in ("head", "0007", "head"):
            with engine.begin() as connection:
                cfg.attributes["connection"] = connection
                (command.downgrade if target == "0007" else command.upgrade)(cfg, target)
            names = {c["name"] for c in sa.inspect(engine).get_check_constraints("case")}
            assert names == (set() if target == "0007" else {f"ck_case_{n}" for n in CASE_CHECKS})
    finally:
        engine.dispose()


def test_workflow_is_a_leaf_and_geodata_reads_only_its_vocabulary():
    """workflow imports no other part of the app; geodata takes from it only the domain words (workflow.vocab) and
    the pure checks every file read shares (workflow.files: archive and sheet limits; workflow.textcheck)."""
    import ast

    root = MIGRATIONS.parent.parent

    def imported(folder: str) -> set[str]:
        names = set()
        for path in (root / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module == "workflow":  # from workflow import files
                    names.update(f"workflow.{alias.name}" for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names.add(node.module)
                elif isinstance(node, ast.Import):
                    names.update(alias.name for alias in node.names)
        return names

    parts = ("app", "api", "callbacks", "layouts", "db", "geodata", "workflow", "dash")
    assert {n for n in imported("workflow") if n.split(".")[0] in parts and n.split(".")[0] != "workflow"} == set()
    assert {n for n in imported("geodata") if n.split(".")[0] in parts and n.split(".")[0] != "geodata"} \
        <= {"workflow.vocab", "workflow.files", "workflow.textcheck"}
