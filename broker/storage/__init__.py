"""The broker's own SQLite file (STATE_DB): login state and the audit trail, one schema.

database: connections, the one transaction helper, migrations under `PRAGMA user_version`;
schema: the numbered migrations; state and audit: every statement on their tables.
"""
