"""Business rules of the case loop, pure: no database, no web."""
