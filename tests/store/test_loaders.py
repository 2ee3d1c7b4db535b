import json

import pytest

from mandates_store import MANDAATUITVOERDER, FileFormatError, Store


@pytest.fixture
def empty(store_location):
    with Store(store_location) as store:
        yield store


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


PARTIES = """number;name;street;house_number;postcode;city
0411.515.075;Emmaüs;Edgard Tinellaan;1;2800;Mechelen
BE0806154033;BAROCY;Hundelgemsesteenweg;321;9820;Merelbeke
88012226557;Lotte Verbeke;Kouter;12;9000;Gent
"""


def test_parties_from_csv(empty, tmp_path):
    assert empty.load("parties", write(tmp_path, "parties.csv", PARTIES)) == 3
    assert empty.party("0806154033").name == "BAROCY"
    assert empty.find_person("88012226557", "Kouter", "12", "9000") is not None


def test_a_bad_line_names_file_line_and_field_and_loads_nothing(empty, tmp_path):
    bad = PARTIES + "0806154034;Wrong;;;;\n"
    path = write(tmp_path, "bad.csv", bad)
    with pytest.raises(FileFormatError) as caught:
        empty.load("parties", path)
    error = caught.value
    assert (error.path, error.line, error.field) == (str(path), 5, "number")
    assert "bad.csv, line 5, field number" in str(error) and "0806154034" in str(error)
    assert empty.db.execute("SELECT count(*) FROM parties").fetchone()[0] == 0


def test_missing_required_field_is_named(empty, tmp_path):
    with pytest.raises(FileFormatError, match="line 2, field name"):
        empty.load("parties", write(tmp_path, "p.csv", "number,name\n0411515075,\n"))


def test_types_rights_work_and_representatives_from_json_and_csv(empty, tmp_path):
    empty.load("parties", write(tmp_path, "parties.csv", PARTIES))
    types = [
        {
            "code": "WSE Loket",
            "names": {"nl": "WSE Loket", "fr": "Guichet WSE"},
            "contracts": {"nl": "Met het WSE-mandaat ..."},
            "combinations": ["organisation>organisation", "person>organisation"],
        },
        {
            "code": "Kiosk",
            "name_nl": "Kiosk",
            "contract_nl": "Met dit mandaat ...",
            "combinations": ["organisation>person"],
        },
    ]
    assert empty.load("types", write(tmp_path, "types.json", json.dumps(types))) == 2
    assert empty.mandate_type("WSE Loket").names["fr"] == "Guichet WSE"
    work = "person;organisation;valid_from;valid_until\n88012226557;0806154033;01/01/2020;\n"
    assert empty.load("work-relationships", write(tmp_path, "work.csv", work)) == 1
    rights = (
        "person;organisation;right;valid_from;valid_until;mandate_types;givers\n"
        f"88012226557;0806154033;{MANDAATUITVOERDER};2020-01-01;;WSE Loket|Kiosk;"
        "0411515075\n"
    )
    assert empty.load("rights", write(tmp_path, "rights.csv", rights)) == 1
    (right,) = empty.rights("88012226557")
    assert right.mandate_types == {"WSE Loket", "Kiosk"} and right.givers == {"0411515075"}
    reps = [{"person": "88012226557", "enterprise": "0411515075", "function": "Bestuurder", "since": "20200101"}]
    assert empty.load("representatives", write(tmp_path, "reps.json", json.dumps(reps))) == 1


def test_bad_json_item_and_unknown_combination(empty, tmp_path):
    types = [
        {"code": "A", "names": {"nl": "A"}, "contracts": {"nl": "..."}, "combinations": ["organisation>organisation"]},
        {"code": "B", "names": {"nl": "B"}, "contracts": {"nl": "..."}, "combinations": ["company>company"]},
    ]
    with pytest.raises(FileFormatError, match="line 2, field combinations"):
        empty.load("types", write(tmp_path, "types.json", json.dumps(types)))
    assert empty.mandate_type("A") is None
    with pytest.raises(FileFormatError, match="not valid JSON"):
        empty.load("types", write(tmp_path, "broken.json", "[{"))


def test_bad_date_and_rule_breaking_record(empty, tmp_path):
    empty.load("parties", write(tmp_path, "parties.csv", PARTIES))
    with pytest.raises(FileFormatError, match="field valid_from.*not a date"):
        empty.load(
            "work-relationships",
            write(tmp_path, "w.csv", "person;organisation;valid_from\n88012226557;0806154033;2020-13-01\n"),
        )
    with pytest.raises(FileFormatError, match="line 2.*no work relationship"):
        empty.load(
            "rights",
            write(
                tmp_path,
                "r.csv",
                "person;organisation;right;valid_from\n88012226557;0806154033;SSM Mandaatbeheerder;2020-01-01\n",
            ),
        )


def test_missing_file(empty, tmp_path):
    with pytest.raises(FileFormatError, match="file not found"):
        empty.load("parties", tmp_path / "nope.csv")
