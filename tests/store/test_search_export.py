import csv
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from mandates_store import InvalidIdentifier, InvalidInput, MandateSearch
from mandates_store.export import COLUMNS
from mandates_store.search import parse_participants
from tests.store.conftest import ORG_A, ORG_B, ORG_C, PERSON_P, active_mandate, admin


@pytest.fixture
def many(world, clock):
    a_b = active_mandate(world, ORG_A, ORG_B, reference="R-1")
    (a_c,) = world.create_mandates(
        admin(ORG_A), role="giver", counterparty=ORG_C, types=["Test Uniek"], accept_contract=True, reference="R-2"
    )
    c_a = active_mandate(world, ORG_C, ORG_A, end=world.today() + timedelta(days=1))
    p_a = active_mandate(world, PERSON_P, ORG_A)
    clock.advance(2)
    world.stop(admin(ORG_B), a_b.id)
    return {"a_b": a_b.id, "a_c": a_c.id, "c_a": c_a.id, "p_a": p_a.id}


def ids(world, **filters):
    filters.setdefault("party", ORG_A)
    return sorted(m.id for m in world.search(MandateSearch(**filters)))


def test_no_filter_is_every_mandate_the_party_takes_part_in(world, many):
    assert ids(world) == sorted(many.values())
    assert ids(world, party=ORG_B) == [many["a_b"]]


def test_role_filter(world, many):
    assert ids(world, role="giver") == sorted([many["a_b"], many["a_c"]])
    assert ids(world, role="taker") == sorted([many["c_a"], many["p_a"]])
    with pytest.raises(InvalidInput):
        ids(world, role="nobody")


def test_type_and_status_filters(world, many):
    assert ids(world, types=frozenset({"Test Uniek"})) == [many["a_c"]]
    assert ids(world, status="stopped") == [many["a_b"]]
    assert ids(world, status="expired") == [many["c_a"]]
    assert ids(world, status="awaiting_signature") == [many["a_c"]]
    assert ids(world, status="active") == [many["p_a"]]


def test_changed_by_filter(world, many):
    assert ids(world, changed_by="administrator") == sorted(many.values())
    assert ids(world, changed_by="giver") == []
    with pytest.raises(InvalidInput):
        ids(world, changed_by="someone")


def test_participants_list_with_dots_commas_and_spaces(world, many):
    numbers = parse_participants("0400.048.883, 88.01.22-265.57")
    assert ids(world, participants=numbers) == sorted([many["a_c"], many["c_a"], many["p_a"]])
    with pytest.raises(InvalidIdentifier):
        parse_participants("0400048884")


def test_name_is_a_part_of_the_other_sides_name_without_wildcards(world, many):
    assert ids(world, name="baloise") == sorted([many["a_c"], many["c_a"]])
    assert ids(world, name="Lotte") == [many["p_a"]]
    assert ids(world, name="%") == []
    assert ids(world, name="Emma") == []  # the own name does not count


def test_reference_and_changed_since(world, many, clock):
    assert ids(world, reference="R-2") == [many["a_c"]]
    assert ids(world, reference="R") == []
    assert ids(world, changed_since=world.today()) == [many["a_b"]]


def test_export_csv_with_the_fixed_columns(world, many, tmp_path):
    path = tmp_path / "export.csv"
    assert world.export(MandateSearch(party=ORG_A, role="giver"), path) == 2
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert tuple(rows[0]) == COLUMNS
    stopped = next(r for r in rows[1:] if r[0] == str(many["a_b"]))
    assert stopped[1:6] == ["WSE Loket", "Emmaüs", ORG_A, "BAROCY", ORG_B]
    assert stopped[8] == "Stopgezet" and stopped[7] == world.today().strftime("%d/%m/%Y")


def test_export_xlsx_with_the_fixed_columns(world, many, tmp_path):
    path = tmp_path / "export.xlsx"
    assert world.export(MandateSearch(party=ORG_A), path) == 4
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == COLUMNS and len(rows) == 5
    first = next(r for r in rows[1:] if r[0] == many["p_a"])
    assert first[3] == PERSON_P and first[5] == ORG_A  # numbers stay text with leading zero
    assert first[6].date() == world.today() - timedelta(days=2) and first[8] == "Actief"


def test_export_refuses_other_extensions(world, tmp_path):
    with pytest.raises(InvalidInput, match=".csv or .xlsx"):
        world.export(MandateSearch(party=ORG_A), tmp_path / "x.pdf")
