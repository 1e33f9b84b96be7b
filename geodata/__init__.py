"""Pure geographic logic: no dash, no database."""
