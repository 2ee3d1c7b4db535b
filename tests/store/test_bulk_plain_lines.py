"""Bulk create's short cut for a plain line (seven fields, nothing to strip or unquote): the same
plan, report and mandates as the full parse, whatever the line holds."""

from datetime import timedelta

from mandates_store import Store
from tests.store.conftest import ORG_A, admin
from tests.store.test_bulk_batched import batched_and_line_by_line


def plain_and_nearly_plain_lines(today):
    day = lambda days: (today + timedelta(days=days)).strftime("%Y%m%d")  # noqa: E731
    return [
        f"0400048883;a@b.be;;nl;SEVEN1;{day(1)};",  # the first of its terms: the full parse
        f"0400048883;e@f.be;;nl;SEVEN2;{day(1)};",  # the same terms: the short cut
        f"0400048883;;;nl;;{day(1)};",  # no e-mail address, no reference
        f"0400048884;;;nl;MOD97;{day(1)};",  # mod-97
        f"0400378485;geen-adres;;nl;;{day(1)};",  # e-mail shape
        f"0400378485;a@b@c.be;;nl;;{day(1)};",  # two @
        f"0400378485;;Q1;nl;;{day(1)};",  # quality code
        f";;;nl;;{day(1)};",  # no number
        f"0425260668;;;nl;;{day(1)};",  # unknown party
        f"88012226557;;;nl;;{day(1)};",  # a person: the types allow organisations only
        f"0411515075;;;nl;;{day(1)};",  # the creating party itself
        f"0806154033;;;nl;;{day(1)};",  # conflicts with the signed mandate
        f" 0400048883;;;nl;SPACE;{day(1)};",  # to strip
        f"0400048883\u00a0;;;nl;NBSP;{day(1)};",  # a non-breaking space to strip
        f"0400048883;;;nl;TAB;{day(1)};\t",  # a tab to strip
        f"0400048883;;;NL;UPPER;{day(1)};",  # other terms' text, the same terms
        f"0400048883;;;NL;UPPER2;{day(1)};",
        f"0400048883;x@y.be;;nl;PAST;{day(-1)};",  # start in the past: never kept
        f"0400048883;x@y.be;;nl;PAST2;{day(-1)};",
        f"0400048883;;;nl;END;{day(1)};{day(1)}",  # end not after start
        f"0400048883;;;nl;END2;{day(1)};{day(1)}",
        f"0400048883;;;nl;ENDOK;{day(1)};{day(9)}",
        f"0400048883;;;nl;ENDOK2;{day(1)};{day(9)}",
        f"0400048883;;;nl;SWAPPED;{day(9)};{day(1)}",  # the same dates the other way round
        "0400048883;;;nl;BADDATE;2025133;",  # not a date
        "0400048883;;;nl;BADDATE2;2025133;",
        f'0400048883;"q@r.be";;nl;QUOTED;{day(1)};',  # quotes: the csv module's reading
        "402.206.045;;;de;DOTS;;",  # dots and no leading zero
        "0402206045;z@w.be;;de;DOTS2;;",
        "0400048883;;;nl;R;;;extra",  # too many fields
        "0400048883;é@ü.be;;fr;ACCENTS;;",
    ]


def test_a_plain_line_is_planned_as_the_full_parse_plans_it(firm):
    from mandates_store.bulk.create import _Importer
    from mandates_store.mandates import prepare_create

    now = firm.now()
    context = prepare_create(firm.db, admin(ORG_A), "giver", ["Test ORG-ORG", "Test Uniek"], now.date())
    importer = _Importer(firm.db, context, 0, now)

    def seen(plan):
        error = plan.error and (type(plan.error), plan.error.message_nl)
        terms = plan.terms if type(plan.terms) is tuple else plan.terms and plan.terms.message_nl
        if error:
            return plan.line_no, plan.raw, plan.text, error
        return plan.line_no, plan.raw, plan.text, plan.number, plan.counterparty, plan.reference, terms

    lines = plain_and_nearly_plain_lines(now.date())
    for _ in range(2):  # the second time every good line's terms are known
        for line_no, raw in enumerate(lines, 1):
            assert seen(importer.plan(line_no, raw)) == seen(importer.plan_in_full(line_no, raw))
    assert importer.plain_terms  # the short cut was open


def test_plain_lines_give_exactly_what_line_by_line_creation_gives(new_location, clock, monkeypatch):
    def outcome(store, report):
        lines = [(line.line_no, line.input, line.ok, line.reason, len(line.mandate_ids)) for line in report.lines]
        mandates = store.db.execute(
            "SELECT type_code, giver, taker, state, start_date, end_date, reference, language FROM mandates ORDER BY id"
        ).fetchall()
        return lines, mandates

    batched, line_by_line = batched_and_line_by_line(
        new_location, clock, monkeypatch, plain_and_nearly_plain_lines, outcome
    )
    assert batched == line_by_line
    ok = [line_no for line_no, _, good, _, _ in batched[0] if good]
    assert ok == [1, 2, 3, 13, 14, 15, 16, 17, 22, 23, 27, 28, 29, 31]
    assert batched[0][1][1] == f"0400048883;;;nl;SEVEN2;{(clock().date() + timedelta(days=1)):%Y%m%d};"


def test_the_report_of_a_plain_line_never_holds_its_e_mail_address(store_location, clock):
    from tests.store.conftest import fill_world

    with fill_world(Store(store_location, now=clock)) as store:
        lines = [f"0400048883;klant{i}@example.be;;nl;R{i};;" for i in range(3)]
        report = store.bulk_create(admin(ORG_A), role="giver", types="WSE Loket", lines=lines, accept_contract=True)
        assert [line.input for line in report.lines] == [f"0400048883;;;nl;R{i};;" for i in range(3)]
        stored = "\n".join(row[0] for row in store.db.execute("SELECT input FROM bulk_lines"))
        assert "example.be" not in stored
