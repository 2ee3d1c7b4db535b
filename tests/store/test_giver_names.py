"""Store step 12: every mandate carries its giver's name, the database keeps it the party's, and the
login reads the names from the mandates (their login index) without a join to the parties."""

import pytest

from mandates_store import Store, login_query
from mandates_store.demo_data import DEMO_SCOPE, EMMAUS, PERSON_EXECUTOR
from mandates_store.schema import GIVER_NAME, LOGIN_INDEX, SCHEMA_VERSION
from tests.store.conftest import ORG_A, ORG_B, ORG_C, PERSON_P, active_mandate, admin, fill_world
from tests.store.old_steps import back_to_step_11
from tests.store.test_import import HEADER

WRONG_NAMES = (
    f"SELECT count(*) FROM mandates m JOIN parties g ON g.number = m.giver WHERE m.{GIVER_NAME} IS DISTINCT FROM g.name"
)


def names_of(store: Store, giver: str) -> set[str]:
    return {row[0] for row in store.db.execute(f"SELECT {GIVER_NAME} FROM mandates WHERE giver = ?", [giver])}


def test_every_way_of_making_a_mandate_gives_it_its_givers_name(world, tmp_path):
    active_mandate(world, ORG_A, ORG_B)  # create and sign
    report = world.bulk_create(
        admin(ORG_B), role="taker", types="WSE Loket", lines=[ORG_A, ORG_C], accept_contract=True
    )  # the counterparties give: their names, not the own party's
    assert len(report.created) == 1 and len(report.refused) == 1  # ORG_A's mandate to ORG_B is active
    world.bulk_create(admin(ORG_A), role="giver", types="Test Uniek", lines=[ORG_B, ORG_C], accept_contract=True)
    (mandate,) = world.create_mandates(
        admin(ORG_A), role="giver", counterparty=ORG_C, types=["Test ORG-ORG"], accept_contract=True
    )
    world.sign(admin(ORG_C), mandate.id, accept_contract=True)
    world.transfer(admin(ORG_A), mandate.id, ORG_B)
    load = tmp_path / "export.csv"
    load.write_text(
        HEADER + f"Kiosk;{ORG_C};{PERSON_P};2021-01-01;2022-01-01;Vervallen;2020-12-01;2020-12-02;;;;OLD-9\n",
        encoding="utf-8",
    )
    world.import_mandates(str(load), "operator")
    assert world.db.execute("SELECT count(*) FROM mandates").fetchone()[0] == 7
    assert world.db.execute(WRONG_NAMES).fetchone()[0] == 0
    assert names_of(world, ORG_C) == {"BALOISE BELGIUM"}


def test_a_new_name_of_a_party_reaches_its_mandates_and_the_login(demo):
    def giver_names():
        found = demo.login_options(person=PERSON_EXECUTOR, at=demo.now(), scope=DEMO_SCOPE)
        return {option.represented.name for option in found if option.represented.number == EMMAUS}

    assert giver_names() == {"Emmaüs"}
    demo.put_party(EMMAUS, "Emmaüs Vlaanderen")
    assert giver_names() == {"Emmaüs Vlaanderen"}
    assert names_of(demo, EMMAUS) == {"Emmaüs Vlaanderen"}
    assert demo.db.execute(WRONG_NAMES).fetchone()[0] == 0


@pytest.mark.parametrize("name", ["Someone else", None])
def test_the_database_refuses_a_mandate_with_another_name(world, name):
    mandate = active_mandate(world, ORG_A, ORG_B)
    insert = (
        f"INSERT INTO mandates (type_code, giver, {GIVER_NAME}, taker, state, signer, start_date, language, "
        "created_at, changed_by, changed_at) VALUES ('Test Uniek', ?, ?, ?, 'awaiting', ?, '2030-01-01', 'nl', "
        "'x', 'giver', 'x')"
    )
    with pytest.raises(world.db.IntegrityError, match="giver's name|null value"):
        world.db.execute(insert, [ORG_A, name, ORG_B, ORG_B])
    with pytest.raises(world.db.IntegrityError, match="giver's name|null value"):
        world.db.execute(f"UPDATE mandates SET {GIVER_NAME} = ? WHERE id = ?", [name, mandate.id])
    assert names_of(world, ORG_A) == {"Emmaüs"}
    assert world.db.execute("SELECT count(*) FROM mandates").fetchone()[0] == 1


def test_a_step_11_store_gets_its_givers_names_and_a_new_stores_schema(store_location, new_location, clock):
    with Store(store_location, now=clock) as store:
        fill_world(store)
        active_mandate(store, ORG_A, ORG_B)
        active_mandate(store, ORG_C, ORG_B)
        back_to_step_11(store)
    with Store(store_location, now=clock) as store:
        assert store.db.schema_version() == SCHEMA_VERSION == 12
        assert names_of(store, ORG_A) == {"Emmaüs"} and names_of(store, ORG_C) == {"BALOISE BELGIUM"}
        migrated = schema_of(store)
    with Store(new_location("fresh.db")) as fresh:
        assert migrated == schema_of(fresh)


def schema_of(store: Store) -> list[tuple]:
    """The store's indexes and triggers, as the engine describes them."""
    if store.db.engine == "sqlite":
        sql = "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY name"
    else:
        sql = (
            "SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' UNION ALL "
            "SELECT 'trigger', tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal ORDER BY 2"
        )
    return [tuple(row) for row in store.db.execute(sql)]


def test_the_executors_login_reads_no_party_for_the_mandates(demo):
    shape = login_query.shape_of(DEMO_SCOPE, with_party=True)
    params = login_query.parameters(
        shape, PERSON_EXECUTOR, demo.now().date().isoformat(), sorted(DEMO_SCOPE.mandate_types)
    )
    sql = login_query.statement(shape)
    if demo.db.engine == "sqlite":
        plan = " | ".join(row[-1] for row in demo.db.execute("EXPLAIN QUERY PLAN " + sql, params))
        assert f"SEARCH m USING COVERING INDEX {LOGIN_INDEX}" in plan, plan
        assert "SEARCH m USING INDEX" not in plan and "SCAN m" not in plan, plan
    else:  # which mandate index a tiny store's plan takes says little: test_bench_login_statement's store is bigger
        plan = " | ".join(row[0] for row in demo.db.execute("EXPLAIN " + sql, params))
    assert "parties g" not in plan, plan
