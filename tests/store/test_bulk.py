from datetime import timedelta

import pytest

from mandates_store import Actor, MandateSearch, NotAllowed, UnknownEntity
from mandates_store.bulk import parse_line, redact
from tests.store.conftest import ORG_A, ORG_B, ORG_C, ORG_D, active_mandate, admin, every_stored_text


def seed_lines(today):
    start, end = today.strftime("%Y%m%d"), (today + timedelta(days=366)).strftime("%Y%m%d")
    past = (today - timedelta(days=1)).strftime("%Y%m%d")
    return [
        f"0400048883;adrestegenpartij1@test.be;;nl;M001;{start};{end}",
        f"400.378.485;adrestegenpartij2@test.be;;nl;M004;{start};{end}",
        f"0402206045;adrestegenpartij3@test.be;;nl;M007;{past};{end}",
    ]


def test_seed_example_is_partial_success_with_the_seeds_reason(firm):
    report = firm.bulk_create(
        admin(ORG_A), role="giver", types="WSE Loket", lines=seed_lines(firm.today()), accept_contract=True
    )
    assert report.status == "Gedeeltelijk succes"
    assert len(report.created) == 2
    (refused,) = report.refused
    assert refused.line_no == 3
    assert refused.reason == "De begindatum moet groter of gelijk zijn aan de datum van vandaag."
    for mandate_id in report.created:
        assert firm.mandate(mandate_id).status == "awaiting_signature"  # the others still sign
    assert {firm.mandate(i).reference for i in report.created} == {"M001", "M004"}


def test_all_good_is_geslaagd_all_bad_is_fout(firm):
    good = firm.bulk_create(
        admin(ORG_A), role="giver", types=["WSE Loket"], lines=["0400048883", "0400378485;;;fr"], accept_contract=True
    )
    assert good.status == "Geslaagd" and len(good.created) == 2
    bad = firm.bulk_create(
        admin(ORG_A),
        role="giver",
        types=["WSE Loket"],
        lines=["0400048884", "0411515075", "", "88012226557"],
        accept_contract=True,
    )
    assert bad.status == "Fout" and [line.line_no for line in bad.refused] == [1, 2, 4]
    assert "controlegetal" in bad.refused[0].reason
    assert "tegelijk mandaatgever en mandaatnemer" in bad.refused[1].reason
    assert "laat de combinatie" in bad.refused[2].reason


@pytest.mark.parametrize(
    "line, reason",
    [
        (";a@b.be", "verplicht"),
        ("0400048883;geen-adres", "e-mailadres"),
        ("0400048883;;Q1", "quality code"),
        ("0400048883;;;es", "taal"),
        ("0400048883;;;nl;R;2025-03-10", "jjjjMMdd"),
        ("0400048883;;;nl;R;20250310;20250230", "jjjjMMdd"),
        ("0400048883;;;nl;R;20300101;20291231", "einddatum"),
        ("0400048883;;;nl;R;;;extra", "Te veel velden"),
        ("0425260668", "niet gekend"),
    ],
)
def test_each_invalid_line_gets_its_reason(firm, line, reason):
    report = firm.bulk_create(admin(ORG_A), role="giver", types="WSE Loket", lines=[line], accept_contract=True)
    assert report.status == "Fout"
    assert reason in report.refused[0].reason


def test_conflicting_line_is_refused_and_the_rest_goes_on(firm):
    existing = active_mandate(firm, ORG_A, ORG_C)
    report = firm.bulk_create(
        admin(ORG_A), role="giver", types="WSE Loket", lines=["0400048883", "0400378485"], accept_contract=True
    )
    assert report.status == "Gedeeltelijk succes"
    assert str(existing.id) in report.refused[0].reason and "Conflict" in report.refused[0].reason


def test_whole_operation_refused_for_bad_type_role_authority_or_contract(firm):
    before = firm.bulk_operations()
    with pytest.raises(UnknownEntity):
        firm.bulk_create(admin(ORG_A), role="giver", types="Nope", lines=["0400048883"], accept_contract=True)
    with pytest.raises(NotAllowed):
        firm.bulk_create(
            Actor("88012226557", ORG_A), role="giver", types="WSE Loket", lines=["0400048883"], accept_contract=True
        )
    with pytest.raises(NotAllowed, match="contract"):
        firm.bulk_create(admin(ORG_A), role="giver", types="WSE Loket", lines=["0400048883"])
    assert firm.bulk_operations() == before


def test_several_types_per_line_make_several_mandates(firm):
    report = firm.bulk_create(
        admin(ORG_A), role="giver", types=["Test ORG-ORG", "Test Uniek"], lines=["0400048883"], accept_contract=True
    )
    assert len(report.lines[0].mandate_ids) == 2


def test_taker_role_for_the_whole_file(firm):
    report = firm.bulk_create(admin(ORG_B), role="taker", types="WSE Loket", lines=["0411515075"], accept_contract=True)
    mandate = firm.mandate(report.created[0])
    assert (mandate.giver.number, mandate.taker.number, mandate.signer) == (ORG_A, ORG_B, ORG_A)


def test_email_is_never_stored(firm):
    firm.bulk_create(
        admin(ORG_A), role="giver", types="WSE Loket", lines=seed_lines(firm.today()), accept_contract=True
    )
    assert "adrestegenpartij" not in every_stored_text(firm)


def test_file_in_windows_1252_with_crlf_and_blank_tail(firm, tmp_path):
    path = tmp_path / "import.csv"
    path.write_bytes("0400048883;;;nl;Dossier café\r\n0400378485;;;nl\r\n\r\n".encode("cp1252"))
    report = firm.bulk_create(admin(ORG_A), role="giver", types="WSE Loket", path=path, accept_contract=True)
    assert report.status == "Geslaagd" and len(report.lines) == 2
    assert firm.mandate(report.created[0]).reference == "Dossier café"
    assert firm.bulk_operations()[0].source == str(path)


def test_report_text_looks_like_the_seeds(firm):
    today = firm.today()
    end = today + timedelta(days=365)
    report = firm.bulk_create(
        admin(ORG_A),
        role="giver",
        types="WSE Loket",
        lines=[f"0400048883;;;nl;M001;;{end:%Y%m%d}", "0402206045;x@y.be;;nl;M007;20000101"],
        accept_contract=True,
    )
    text = firm.bulk_report_text(report.operation.id)
    assert text.startswith("Mandaten aanmaken\n")
    last_day = end - timedelta(days=1)
    assert (
        f"1. Mandaat WSE Loket vanaf {today:%d/%m/%Y} tot {last_day:%d/%m/%Y} tussen: "
        f"Emmaüs 0411515075 en BALOISE BELGIUM 0400048883"
    ) in text
    assert (
        "1. Lijn 2: Mandaat voor 0402206045;;;nl;M007;20000101 : De begindatum moet groter "
        "of gelijk zijn aan de datum van vandaag."
    ) in text


def test_history_of_bulk_operations(firm):
    firm.bulk_create(admin(ORG_A), role="giver", types="WSE Loket", lines=["0400048883"], accept_contract=True)
    firm.bulk_create(admin(ORG_A), role="giver", types="Test Uniek", lines=["0400048884"], accept_contract=True)
    history = firm.bulk_operations(ORG_A)
    assert [(o.kind_nl, o.status) for o in history] == [
        ("Gegroepeerd aanmaken", "Fout"),
        ("Gegroepeerd aanmaken", "Geslaagd"),
    ]
    assert firm.bulk_operations(ORG_B) == []


def test_bulk_sign_needs_the_exact_count_then_signs_each(firm):
    made = firm.bulk_create(
        admin(ORG_A),
        role="giver",
        types="WSE Loket",
        lines=["0806154033", "0400048883", "0400378485"],
        accept_contract=True,
    )
    active_mandate(firm, ORG_D, ORG_B, "Test Uniek")  # active: not in the sign search
    query = MandateSearch(party=None, role="taker")
    for taker in (ORG_B, ORG_C):
        actor = admin(taker)
        (one,) = firm.bulk_preview(actor, query, "sign")
        with pytest.raises(NotAllowed, match="does not match"):
            firm.bulk_sign(actor, query, confirm_count=2, accept_contract=True)
        assert firm.mandate(one.id).status == "awaiting_signature"
        report = firm.bulk_sign(actor, query, confirm_count=1, accept_contract=True)
        assert report.status == "Geslaagd" and report.operation.kind_nl == "Gegroepeerd ondertekenen"
        assert firm.mandate(one.id).status == "active"
    assert len(made.created) == 3


def test_bulk_sign_of_mandates_awaiting_the_other_side_fails_per_line(firm):
    firm.bulk_create(admin(ORG_A), role="giver", types="WSE Loket", lines=["0806154033"], accept_contract=True)
    report = firm.bulk_sign(admin(ORG_A), MandateSearch(party=None), confirm_count=1, accept_contract=True)
    assert report.status == "Fout" and "tegenpartij" in report.refused[0].reason


def test_bulk_stop_with_reason_for_all(firm):
    first = active_mandate(firm, ORG_A, ORG_B)
    second = active_mandate(firm, ORG_A, ORG_C)
    active_mandate(firm, ORG_D, ORG_A)  # ORG_A is taker here: outside the giver search
    query = MandateSearch(party=None, role="giver")
    assert len(firm.bulk_preview(admin(ORG_A), query, "stop")) == 2
    report = firm.bulk_stop(admin(ORG_A), query, confirm_count=2, reason="Einde contract")
    assert report.status == "Geslaagd"
    assert {firm.mandate(m.id).stop_reason for m in (first, second)} == {"Einde contract"}
    assert "Stopzetting mandaten" in firm.bulk_report_text(report.operation.id)


def test_line_parser_and_redaction():
    parsed = parse_line("0400048883;a@b.be;;nl;M001;20191210;20201210")
    assert (parsed.counterparty, parsed.reference, str(parsed.start), str(parsed.end)) == (
        "0400048883",
        "M001",
        "2019-12-10",
        "2020-12-10",
    )
    assert redact("0400048883;a@b.be;;nl") == "0400048883;;;nl"


def test_grouped_commits_keep_each_line_whole(firm):
    lines = ["0400048883", "0400048884", "0400378485", "0806154033", "0402206045"]
    report = firm.bulk_create(
        admin(ORG_A), role="giver", types="WSE Loket", lines=lines, accept_contract=True, commit_every=2
    )
    assert report.status == "Gedeeltelijk succes"
    assert [line.ok for line in report.lines] == [True, False, True, True, True]
    assert not firm.db.in_transaction
    count = firm.db.execute("SELECT count(*) FROM mandates").fetchone()[0]
    assert count == len(report.created) == 4
