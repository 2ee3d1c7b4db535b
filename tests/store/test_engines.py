"""The engine-neutral connection: which engine a location names, how `?` SQL reaches psycopg,
and that the same SQL gives the same rows on both engines."""

import pytest

from mandates_store import Store, engine_of
from mandates_store.engines import location_problem, shown
from mandates_store.engines.postgresql import translate
from tests.store.conftest import ORG_A, ORG_B


@pytest.mark.parametrize(
    "location, engine",
    [
        ("var/store.db", "sqlite"),
        ("/srv/broker/store.db", "sqlite"),
        ("postgresql://broker@db:5432/mandates", "postgresql"),
        ("postgres://broker@db/mandates", "postgresql"),
        ("postgresql:///mandates?service=broker", "postgresql"),
    ],
)
def test_engine_of(location, engine):
    assert engine_of(location) == engine


def test_placeholders_and_percent_signs_reach_psycopg_as_it_reads_them():
    sql = "SELECT 1 FROM t WHERE a LIKE '%x?' AND b = ? AND c = :name AND d::text = '10:00' AND e LIKE ? || '%'"
    assert translate(sql) == (
        "SELECT 1 FROM t WHERE a LIKE '%%x?' AND b = %s AND c = %(name)s AND d::text = '10:00' AND e LIKE %s || '%%'"
    )
    assert translate("SELECT 'it''s ?' WHERE x = ?") == "SELECT 'it''s ?' WHERE x = %s"


def test_a_password_is_masked_and_refused():
    assert shown("postgresql://broker:s3cret@db/mandates") == "postgresql://broker:***@db/mandates"
    assert shown("postgresql://broker@db/mandates?password=s3cret&sslmode=require") == (
        "postgresql://broker@db/mandates?password=***&sslmode=require"
    )
    assert shown("var/store.db") == "var/store.db"
    assert "password" in location_problem("postgresql://broker:s3cret@db/mandates")[0]
    assert location_problem("postgresql://broker@db/mandates") is None
    assert location_problem("var/store.db") is None


def test_the_same_sql_gives_the_same_rows_with_like_literals_and_parameters(store):
    store.put_party(ORG_A, "Emmaüs 100%")
    store.put_party(ORG_B, "BAROCY")
    rows = store.db.execute(
        "SELECT number FROM parties WHERE name LIKE '%100%' AND number = ? ORDER BY number", [ORG_A]
    ).fetchall()
    assert rows == [(ORG_A,)]
    named = store.db.execute("SELECT name FROM parties WHERE number = :number", {"number": ORG_B}).fetchall()
    assert named == [("BAROCY",)]


def test_a_nested_change_that_fails_rolls_back_only_itself(store):
    with store.db.transaction():
        store.put_party(ORG_A, "Emmaüs")
        with pytest.raises(store.db.IntegrityError):
            with store.db.transaction():  # a savepoint
                store.db.execute("INSERT INTO parties (number, kind, name) VALUES (?, 'person', 'x')", [ORG_B])
        store.put_party(ORG_B, "BAROCY")
    assert [r[0] for r in store.db.execute("SELECT number FROM parties ORDER BY number")] == sorted([ORG_A, ORG_B])
    assert not store.db.in_transaction


def test_nested_changes_undo_only_themselves_at_every_depth(store):
    numbers = lambda: [r[0] for r in store.db.execute("SELECT number FROM parties ORDER BY number")]  # noqa: E731
    with store.db.transaction():
        store.put_party(ORG_A, "Emmaüs")
        with pytest.raises(RuntimeError):
            with store.db.transaction():
                with store.db.transaction():  # kept by itself, undone with the change around it
                    store.put_party(ORG_B, "BAROCY")
                raise RuntimeError("the middle change fails")
        assert numbers() == [ORG_A]
        with store.db.transaction():
            with pytest.raises(store.db.IntegrityError):
                with store.db.transaction():  # the innermost fails alone
                    store.db.execute("INSERT INTO parties (number, kind, name) VALUES (?, 'person', 'x')", [ORG_A])
            store.put_party(ORG_B, "BAROCY")
    assert numbers() == sorted([ORG_A, ORG_B])
    with pytest.raises(RuntimeError):
        with store.db.transaction():
            with store.db.transaction():
                store.put_party(ORG_A, "Emmaüs, renamed")
            raise RuntimeError("the outer change fails")
    assert store.party(ORG_A).name == "Emmaüs"
    assert not store.db.in_transaction


def test_store_location_and_engine_are_what_it_was_opened_with(store, engine):
    assert store.engine == engine == engine_of(store.location) == store.db.engine
    with Store(store.location) as again:  # a second Store on the same location sees the same rows
        store.put_party(ORG_A, "Emmaüs")
        assert again.party(ORG_A).name == "Emmaüs"
