"""`broker policy explain` on a real store: every option kind, and every condition that can fail."""

import pytest
from click.testing import CliRunner

from broker.policy.cli import policy
from tests.policy.policy_store_fixture import (
    BALOISE,
    BAROCY,
    BROEDERS,
    COLRUYT,
    EMMAUS,
    IMEC,
    JAN,
    OTHER,
    PARKWIND,
    build_store,
)

SP = "https://wse-loket.example.be/saml/metadata"
WIDE = "login: {own_name: true, work_relationship: true, mandate: true, legal_representative: true}\n"
DEMO_LIKE = "login: {own_name: true, work_relationship: true, mandate: true, legal_representative: false}\n"
NOTHING_BUT_REPRESENTATIVES = "login: {own_name: false, mandate: false, legal_representative: true}\n"
MEMBER_RIGHT = "login: {work_relationship: true, member_right: WSE Loket gebruiker}\n"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "store.db"
    ids = build_store(path)
    return path, ids


def explain(store, tmp_path, login: str, *extra: str, types="[WSE Loket]"):
    path, _ = store
    folder = tmp_path / "policies"
    folder.mkdir(exist_ok=True)
    (folder / "wse.yaml").write_text(f"entity_id: {SP}\nmandate_types: {types}\n{login}")
    args = [
        "explain",
        "--sp",
        SP,
        "--person",
        JAN,
        "--at",
        "2026-06-01",
        "--policies",
        str(folder),
        "--store",
        str(path),
        *extra,
    ]
    return CliRunner().invoke(policy, args)


def sections(output: str) -> tuple[list[str], list[str]]:
    options_part, _, missing_part = output.partition("no option from")
    options = [line.strip()[2:] for line in options_part.splitlines() if line.startswith("  - ")]
    missing = [line.strip()[2:] for line in missing_part.splitlines() if line.startswith("  - ")]
    return options, missing


def test_every_kind_of_option(store, tmp_path):
    _, ids = store
    result = explain(store, tmp_path, WIDE)
    assert result.exit_code == 0, result.output
    options, _ = sections(result.output)
    assert "own name: Jan Peeters (88012226557) [In eigen naam]" in options
    assert f"work relationship: BAROCY ({BAROCY}) [Als medewerker]" in options
    assert f"legal representative: Broeders van Liefde ({BROEDERS}) [Als wettelijk vertegenwoordiger]" in options
    assert (
        f"mandate: Emmaüs ({EMMAUS}), mandate {ids['M1']} (WSE Loket) from 2026-06-01 indefinitely, "
        f"via BAROCY ({BAROCY}) [Mandaat via BAROCY]"
    ) in options
    assert (
        f"mandate: Emmaüs ({EMMAUS}), mandate {ids['M6']} (WSE Loket) from 2026-06-01 indefinitely, "
        f"via Broeders van Liefde ({BROEDERS}) [Mandaat via Broeders van Liefde]"
    ) in options
    assert (
        f"mandate: Etablissements Fr. Colruyt ({COLRUYT}), mandate {ids['M8']} (WSE Loket) from 2026-06-01 "
        "indefinitely, taken by the person in own name [Mandaat aan jou]"
    ) in options
    assert len(options) == 9
    assert "accepts:     own name; work relationship; legal representative; mandate (WSE Loket)" in result.output


# (policy, the subject as printed, the condition) — one row per condition the store can report
CONDITIONS = [
    (WIDE, f"work relationship at PARKWIND ({PARKWIND})", "work_relationship_not_valid"),
    (WIDE, f"legal representative at Andere NV ({OTHER})", "representation_not_valid"),
    (WIDE, f"right at IMEC ({IMEC})", "right_type_not_in_scope"),
    (WIDE, f"right at PARKWIND ({PARKWIND})", "work_relationship_not_valid"),
    (WIDE, f"right at BALOISE BELGIUM ({BALOISE})", "right_not_valid"),
    (WIDE, f"right at Etablissements Fr. Colruyt ({COLRUYT})", "no_active_mandate"),
    (WIDE, "mandate M2", "type_not_in_scope"),
    (WIDE, "mandate M3", "mandate_not_active"),
    (WIDE, "mandate M4", "work_relationship_not_valid"),
    (WIDE, "mandate M5", "right_not_valid"),
    (WIDE, "mandate M7", "representation_not_valid"),
    (DEMO_LIKE, f"legal representative at Broeders van Liefde ({BROEDERS})", "legal_representative_not_allowed"),
    (DEMO_LIKE, "mandate M6", "legal_representative_not_allowed"),
    (NOTHING_BUT_REPRESENTATIVES, "own name", "own_name_not_allowed"),
    (NOTHING_BUT_REPRESENTATIVES, f"work relationship at BAROCY ({BAROCY})", "work_relationship_not_allowed"),
    (NOTHING_BUT_REPRESENTATIVES, f"right at BAROCY ({BAROCY})", "mandates_not_allowed"),
    (NOTHING_BUT_REPRESENTATIVES, "mandate M1", "mandates_not_allowed"),
    (MEMBER_RIGHT, f"work relationship at IMEC ({IMEC})", "member_right_missing"),
]


@pytest.mark.parametrize(
    "login, subject, condition",
    CONDITIONS,
    ids=[f"{condition}-{subject.split(' (')[0]}" for _, subject, condition in CONDITIONS],
)
def test_each_failing_condition(store, tmp_path, login, subject, condition):
    _, ids = store
    for name, number in ids.items():
        subject = subject.replace(f"mandate {name}", f"mandate {number}")
    types = "[]" if "mandate: false" in login else "[WSE Loket]"
    result = explain(store, tmp_path, login, types=types)
    assert result.exit_code == 0, result.output
    _, missing = sections(result.output)
    assert any(line.startswith(f"{subject}: {condition}: ") for line in missing), "\n".join(missing)


def test_an_option_given_is_never_listed_as_missing(store, tmp_path):
    _, ids = store
    options, missing = sections(explain(store, tmp_path, WIDE).output)
    assert not any(
        line.startswith((f"mandate {ids['M1']}:", f"mandate {ids['M8']}:", "own name:", "work relationship at BAROCY"))
        for line in missing
    )
    assert len(missing) == 14


def test_every_mandate_right_relationship_and_function_has_a_line(store, tmp_path):
    _, ids = store
    options, missing = sections(explain(store, tmp_path, WIDE).output)
    assert (
        f"mandate {ids['M9']}: type_not_in_scope: Mandate {ids['M9']} (Kiosk) from Emmaüs to Broeders van Liefde "
        "has a type this application does not use."
    ) in missing  # a Kiosk mandate of the enterprise he represents, at a WSE Loket application
    assert (
        f"mandate {ids['M10']}: person_is_giver: Mandate {ids['M10']} (Kiosk) from Jan Peeters to Emmaüs lets "
        "Emmaüs act on your behalf; you gave it, so it gives you no login."
    ) in missing
    assert (
        f"right at BAROCY ({BAROCY}): right_not_asked: Your right 'WSE Loket gebruiker' at BAROCY is not a right "
        "this application asks for."
    ) in missing
    mandates = {line.split(":")[0] for line in missing if line.startswith("mandate ")}
    mandates |= {f"mandate {line.split('mandate ')[1].split(' ')[0]}" for line in options if "mandate " in line}
    assert mandates == {f"mandate {ids[name]}" for name in ids}  # each of his mandates, one way or the other


def test_the_member_right_turns_work_relationships_into_options_only_where_held(store, tmp_path):
    options, _ = sections(explain(store, tmp_path, MEMBER_RIGHT).output)
    assert [line for line in options if line.startswith("work relationship")] == [
        f"work relationship: BAROCY ({BAROCY}) [Als medewerker]"
    ]


def test_reasons_in_dutch_and_dates_written_the_belgian_way(store, tmp_path):
    result = explain(store, tmp_path, WIDE, "--language", "nl")
    assert "Je werkrelatie met PARKWIND is beëindigd: geldig tot en met 31/12/2019." in result.output
    path, _ = store
    other = CliRunner().invoke(
        policy,
        [
            "explain",
            "--sp",
            SP,
            "--person",
            "88.01.22-265.57",
            "--at",
            "01/06/2026",
            "--policies",
            str(tmp_path / "policies"),
            "--store",
            str(path),
        ],
    )
    assert other.exit_code == 0 and "on:          2026-06-01" in other.output


def test_a_person_unknown_to_the_store_can_only_log_in_in_own_name(store, tmp_path):
    path, _ = store
    explain(store, tmp_path, WIDE)
    result = CliRunner().invoke(
        policy,
        [
            "explain",
            "--sp",
            SP,
            "--person",
            "85073003328",
            "--at",
            "2026-06-01",
            "--policies",
            str(tmp_path / "policies"),
            "--store",
            str(path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "person:      85073003328 (not in the store)" in result.output
    assert sections(result.output) == (["own name: 85073003328 [In eigen naam]"], [])


def test_an_invalid_person_number(store, tmp_path):
    path, _ = store
    explain(store, tmp_path, WIDE)
    result = CliRunner().invoke(
        policy,
        [
            "explain",
            "--sp",
            SP,
            "--person",
            "88012226558",
            "--policies",
            str(tmp_path / "policies"),
            "--store",
            str(path),
        ],
    )
    assert result.exit_code == 1 and "88012226558" in result.output


def test_an_application_without_policy_is_refused_with_a_guess(store, tmp_path):
    path, _ = store
    explain(store, tmp_path, WIDE)
    result = CliRunner().invoke(
        policy,
        [
            "explain",
            "--sp",
            SP.replace("loket", "lokett"),
            "--person",
            JAN,
            "--policies",
            str(tmp_path / "policies"),
            "--store",
            str(path),
        ],
    )
    assert result.exit_code == 1
    assert f"(did you mean '{SP}'?): the broker refuses this application" in result.output


def test_a_broken_policy_is_not_explained(store, tmp_path):
    result = explain(store, tmp_path, WIDE, types="[WSE Lokett]")
    assert result.exit_code == 1
    assert "wse.yaml:2:17: unknown mandate type 'WSE Lokett' (did you mean 'WSE Loket'?)" in result.output
    assert "the policy for https://wse-loket.example.be/saml/metadata has problems" in result.output


def test_an_option_with_an_end_shows_its_last_valid_day():
    from datetime import date

    from broker.policy.explain import describe_option
    from mandates_store import LoginOption, Party

    me, giver, taker = (
        Party(JAN, "person", "Jan Peeters"),
        Party(EMMAUS, "organisation", "Emmaüs"),
        Party(BAROCY, "organisation", "BAROCY"),
    )
    option = LoginOption(
        "mandate", me, giver, taker, 7, "WSE Loket", date(2026, 1, 1), date(2026, 12, 1), "", "mandate:7"
    )
    text = describe_option(option)
    assert "from 2026-01-01 up to and including 2026-11-30" in text and "2026-12-01" not in text
