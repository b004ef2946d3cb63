"""Alembic migrations of the diary schema, run programmatically by `facespasm.diary.database`."""
