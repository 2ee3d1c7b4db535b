"""The conflict rule (schema.CONFLICT_RULE) gives one answer on every path: the single check in
SQL, the triggers, and the bulk import's Python check (bulk.create.periods_overlap)."""

import sqlite3
from datetime import timedelta

import pytest
import sqlite_utils

from mandates_store import Conflict, Store
from mandates_store.bulk.create import periods_overlap
from mandates_store.engines.sqlite_schema import MIGRATIONS
from mandates_store.schema import SCHEMA_VERSION
from tests.store.conftest import GIVER_NAME_OF, ORG_A, ORG_B, active_mandate, admin

# (existing mandate's period, new mandate's period, conflict?) as day offsets from today; None: open
CASES = [
    ((10, 20), (20, 30), False),  # touching: the new one starts on the old one's (exclusive) end
    ((10, 20), (0, 10), False),  # touching the other way
    ((10, 20), (19, 30), True),  # one day in common
    ((10, 20), (12, 15), True),  # inside
    ((10, 20), (0, 40), True),  # around
    ((10, None), (100, 200), True),  # the existing one is open-ended
    ((10, None), (0, 10), False),  # ... and the new one ends where it starts
    ((10, 20), (5, None), True),  # the new one is open-ended
    ((10, 20), (20, None), False),  # ... and starts on the old one's end
    ((10, None), (0, None), True),  # both open-ended
]


def days(store, offsets):
    start, end = offsets
    today = store.today()
    return today + timedelta(days=start), (today + timedelta(days=end) if end is not None else None)


def iso(day):
    return day.isoformat() if day else None


@pytest.mark.parametrize("existing, new, expected", CASES, ids=[str(case[:2]) for case in CASES])
def test_sql_triggers_and_bulk_agree(world, existing, new, expected):
    old_start, old_end = days(world, existing)
    active_mandate(world, ORG_A, ORG_B, start=old_start, end=old_end)
    start, end = days(world, new)
    # the Python check of the bulk import
    assert periods_overlap(iso(old_start), iso(old_end), iso(start), iso(end)) is expected
    # the SQL check of a single creation
    try:
        world.create_mandates(
            admin(ORG_A),
            role="giver",
            counterparty=ORG_B,
            types=["WSE Loket"],
            start=start,
            end=end,
            accept_contract=True,
        )
        refused = False
    except Conflict:
        refused = True
    assert refused is expected
    # the bulk import, end to end
    line = f"{ORG_B};;;nl;R;{start:%Y%m%d};{end:%Y%m%d}" if end else f"{ORG_B};;;nl;R;{start:%Y%m%d}"
    report = world.bulk_create(admin(ORG_A), role="giver", types="WSE Loket", lines=[line], accept_contract=True)
    assert (len(report.refused) == 1) is expected, report.refused
    # the trigger, for a raw insert of a signed mandate
    insert = (
        "INSERT INTO mandates (type_code, giver, giver_name, taker, state, signer, start_date, end_date, language, "
        f"created_at, changed_by, changed_at) VALUES ('WSE Loket', ?, {GIVER_NAME_OF}, ?, 'signed', ?, ?, ?, "
        "'nl', 'x', 'giver', 'x')"
    )
    try:
        world.db.execute(insert, [ORG_A, ORG_A, ORG_B, ORG_B, iso(start), iso(end)])
        refused = False
    except world.db.IntegrityError as error:
        assert "conflict" in str(error)
        refused = True
    assert refused is expected


# What stores up to version 5 hold: the rule spelt out in each trigger.
OLD_TRIGGERS = [
    """CREATE TRIGGER mandates_one_active_insert BEFORE INSERT ON mandates
    WHEN NEW.state = 'signed' AND EXISTS (
        SELECT 1 FROM mandates m
        WHERE m.giver = NEW.giver AND m.taker = NEW.taker AND m.type_code = NEW.type_code
          AND m.state = 'signed'
          AND m.start_date < coalesce(NEW.end_date, '9999-12-31')
          AND NEW.start_date < coalesce(m.end_date, '9999-12-31'))
    BEGIN SELECT RAISE(ABORT, 'conflict: another active mandate for this type, giver and taker'); END""",
    """CREATE TRIGGER mandates_one_active_update BEFORE UPDATE OF state, start_date, end_date ON mandates
    WHEN NEW.state = 'signed' AND EXISTS (
        SELECT 1 FROM mandates m
        WHERE m.id <> NEW.id
          AND m.giver = NEW.giver AND m.taker = NEW.taker AND m.type_code = NEW.type_code
          AND m.state = 'signed'
          AND m.start_date < coalesce(NEW.end_date, '9999-12-31')
          AND NEW.start_date < coalesce(m.end_date, '9999-12-31'))
    BEGIN SELECT RAISE(ABORT, 'conflict: another active mandate for this type, giver and taker'); END""",
]


def triggers(conn) -> dict[str, str]:
    return dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"))


def test_a_version_5_store_gets_the_triggers_a_new_store_has(tmp_path):
    path = tmp_path / "v5.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:5]:
        migration(sqlite_utils.Database(conn))
    for name, sql in zip(("mandates_one_active_insert", "mandates_one_active_update"), OLD_TRIGGERS, strict=True):
        conn.execute(f"DROP TRIGGER {name}")
        conn.execute(sql)
    conn.execute("PRAGMA user_version = 5")
    conn.close()
    with Store(tmp_path / "new.db") as new:
        expected = triggers(new.db.conn)
    with Store(path) as upgraded:
        assert upgraded.db.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 12
        assert triggers(upgraded.db.conn) == expected
        assert "m.start_date < coalesce(NEW.end_date, '9999-12-31')" in expected["mandates_one_active_insert"]
