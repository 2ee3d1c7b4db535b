"""login.member_right as a list: any one of the rights opens an organisation (Mandatenbeheer's policy
lists the mandate manager's right and the local administrators'), and the chooser offers only those."""

from datetime import date

from broker.policy.loader import read_policy
from broker.policy.scope import scope_for
from mandates_store import MANDAATBEHEERDER, Store
from mandates_store import demo_data as d

HEAD = "entity_id: https://a.be/x\nmandate_types: []\n"
RIGHTS = "[SSM Mandaatbeheerder, Lokale beheerder, Hoofd lokale beheerder]"


def _read(member_right: str):
    return read_policy(
        "app.yaml", HEAD + f"login: {{mandate: false, work_relationship: true, member_right: {member_right}}}\n"
    )


def test_a_list_of_rights_is_read_and_a_bad_one_refused():
    assert _read(RIGHTS).policy.login_kinds.member_right == (
        MANDAATBEHEERDER,
        "Lokale beheerder",
        "Hoofd lokale beheerder",
    )
    assert [i.message for i in _read("[]").issues] == [
        "expected at least one right's name, got an empty list (null means none)"
    ]
    assert [i.message for i in _read("[A, A]").issues] == ["right 'A' is listed twice"]
    (issue,) = _read("[A, 3]").issues
    assert issue.message.startswith("expected a text, got") and issue.line == 3


def test_the_organisations_offered_are_those_where_one_of_the_rights_holds(tmp_path):
    scope = scope_for(_read(RIGHTS).policy)
    with Store(tmp_path / "s.db") as store:
        today = date(2026, 3, 1)
        d.load_demo(store, today)
        offered = {
            person: sorted(o.key for o in store.login_options(person=person, at=today, scope=scope))
            for person in (d.PERSON_LOCAL_ADMIN, d.PERSON_MANAGER, d.PERSON_EXECUTOR)
        }
    assert offered == {
        d.PERSON_LOCAL_ADMIN: ["own", f"work:{d.BAROCY}"],
        d.PERSON_MANAGER: ["own", f"work:{d.EMMAUS}"],
        d.PERSON_EXECUTOR: ["own"],  # an executor only: nothing to manage or administer at BAROCY
    }
