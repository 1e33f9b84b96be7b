"""Storage: models, engine, migrations, repositories. No dash imports."""
