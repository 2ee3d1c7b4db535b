"""The broker's own state database (STATE_DB: an SQLite path or a PostgreSQL URL): login state and
the audit trail, one schema.

database: opening either engine, the one transaction helper, the migrations under a version record;
sqlite_engine and postgres_engine: what each engine does its own way; schema: the numbered
migrations; state and audit: every statement on their tables.
"""
