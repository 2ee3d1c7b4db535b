"""A current store taken back to an older schema step, for the tests of the migrations after it."""

from mandates_store import Store
from mandates_store.schema import COVERING_ID, GIVER_NAME, LOGIN_INDEX, PARTY_NUMBERS_C, SEARCH_INDEXES

_STEP_12_TRIGGERS = {
    "mandates_giver_name_insert": "mandates",  # SQLite's
    "mandates_giver_name": "mandates",  # PostgreSQL's
    "mandates_giver_name_update": "mandates",
    "parties_name_to_mandates": "parties",
}
_STEP_12_FUNCTIONS = ("store_check_giver_names", "store_check_giver_name", "store_follow_party_name")


def back_to_step_11(store: Store) -> None:
    """Undo store step 12 (the mandates' giver names) and say the store is at step 11."""
    db = store.db
    columns = ", ".join(SEARCH_INDEXES[LOGIN_INDEX])
    if db.engine == "sqlite":
        for name in _STEP_12_TRIGGERS:
            db.execute(f"DROP TRIGGER IF EXISTS {name}")
        db.execute(f"DROP INDEX {LOGIN_INDEX}")
        db.execute(f"ALTER TABLE mandates DROP COLUMN {GIVER_NAME}")
        db.execute(f"CREATE INDEX {LOGIN_INDEX} ON mandates ({columns})")
        db.execute("PRAGMA user_version = 11")
        return
    with db.transaction():
        for name, table in _STEP_12_TRIGGERS.items():
            db.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for name in _STEP_12_FUNCTIONS:
            db.execute(f"DROP FUNCTION {name}()")
        db.execute(f"ALTER TABLE mandates DROP COLUMN {GIVER_NAME}")  # and the login index with it
        db.execute(f"CREATE INDEX {LOGIN_INDEX} ON mandates ({columns}) INCLUDE ({COVERING_ID})")
        db.execute(f'CREATE INDEX {PARTY_NUMBERS_C} ON parties (number COLLATE "C", kind, name)')
        db.execute("UPDATE schema_version SET version = 11")
