"""Every kind of problem in one file, with its exact line and column."""

from broker.policy.loader import read_file, read_policy

KNOWN = frozenset({"WSE Loket", "Kiosk", "Test ORG-ORG"})


def problems(text: str, known=KNOWN) -> list[str]:
    return [str(issue) for issue in read_policy("app.yaml", text, known).issues]


def test_yaml_syntax_error_points_at_the_problem():
    assert problems("entity_id: https://a.be/x\nmandate_types: [WSE Loket\nlogin: {}\n") == [
        "app.yaml:3:6: YAML syntax error: while parsing a flow sequence: expected ',' or ']', but got ':'"
    ]


def test_tab_indentation_is_a_syntax_error_with_position():
    [problem] = problems("entity_id: https://a.be/x\nlogin:\n\town_name: true\n")
    assert problem.startswith("app.yaml:3:1: YAML syntax error:")


def test_a_second_document_in_one_file():
    assert problems("entity_id: https://a.be/x\n---\nentity_id: https://b.be/y\n") == [
        "app.yaml:2:1: YAML syntax error: expected a single document in the stream: but found another document"
    ]


def test_empty_file():
    assert problems("# nothing yet\n") == [
        "app.yaml:1:1: the file is empty; expected a mapping with at least entity_id"
    ]


def test_top_level_must_be_a_mapping():
    assert problems("- entity_id: x\n") == [
        "app.yaml:1:1: expected a mapping with entity_id and the other policy keys, got a list"
    ]


def test_unknown_key_with_did_you_mean():
    text = "entity_id: https://a.be/x\nmandate_type: [WSE Loket]\n"
    assert problems(text) == [
        # the typo leaves mandate_types empty, so the rule between keys speaks up too
        "app.yaml:1:1: login.mandate is true but mandate_types is empty: list the mandate types that open "
        "this application, or set login.mandate: false",
        "app.yaml:2:1: unknown key 'mandate_type' (did you mean 'mandate_types'?)",
    ]


def test_unknown_key_far_from_any_has_no_guess():
    assert problems("entity_id: https://a.be/x\nmandate_types: [Kiosk]\ncolour: blue\n") == [
        "app.yaml:3:1: unknown key 'colour'"
    ]


def test_unknown_key_inside_a_section():
    text = "entity_id: https://a.be/x\nmandate_types: [Kiosk]\nlogin:\n  own_nam: true\n"
    assert problems(text) == ["app.yaml:4:3: unknown key 'own_nam' in login (did you mean 'own_name'?)"]


def test_key_at_the_wrong_level_suggests_its_place():
    text = "entity_id: https://a.be/x\nmandate_types: [Kiosk]\nlegal_representative: true\n"
    assert problems(text) == [
        "app.yaml:3:1: unknown key 'legal_representative' (did you mean 'login.legal_representative'?)"
    ]


def test_duplicate_key():
    text = "entity_id: https://a.be/x\nmandate_types: [Kiosk]\nsigning: both\nsigning: response\n"
    assert problems(text) == ["app.yaml:4:1: duplicate key 'signing' (first on line 3)"]


def test_wrong_types_each_at_its_value():
    text = (
        "entity_id: https://a.be/x\n"
        "mandate_types: WSE Loket\n"
        "login:\n"
        "  own_name: sure\n"
        "  member_right: 42\n"
        "encrypt_assertion: 1\n"
        "nameid: persistent\n"
        "authn_context: [a, b]\n"
    )
    assert problems(text) == [
        "app.yaml:2:16: expected a list of mandate type codes, got a text",
        "app.yaml:4:13: expected true or false, got a text",
        "app.yaml:5:17: expected a text or null, got a number",
        "app.yaml:6:20: expected true or false, got a number",
        "app.yaml:7:9: expected a mapping with format, source, got a text",
        "app.yaml:8:16: expected a text or null, got a list",
    ]


def test_yaml_yes_and_no_are_booleans():
    text = "entity_id: https://a.be/x\nmandate_types: [Kiosk]\nlogin: {legal_representative: yes}\n"
    assert read_policy("app.yaml", text, KNOWN).policy.login_kinds.legal_representative is True


def test_choice_with_did_you_mean():
    text = "entity_id: https://a.be/x\nmandate_types: [Kiosk]\nsigning: Both\nnameid: {format: persistant}\n"
    assert problems(text) == [
        "app.yaml:3:10: expected one of response, assertion, both, got 'Both' (did you mean 'both'?)",
        "app.yaml:4:18: expected one of persistent, transient, unspecified, got 'persistant' "
        "(did you mean 'persistent'?)",
    ]


def test_missing_and_malformed_entity_id():
    assert problems("mandate_types: [Kiosk]\n") == ["app.yaml:1:1: missing required key 'entity_id'"]
    assert problems("entity_id: my app\nmandate_types: [Kiosk]\n") == [
        "app.yaml:1:12: 'my app' is not an entityID: expected an absolute URI without spaces, at most 1024 characters"
    ]


def test_unknown_mandate_type_each_item_at_its_position():
    text = "entity_id: https://a.be/x\nmandate_types:\n  - WSE Loket\n  - Kiosq\n  - Nothing like it\n  - Kiosk\n  - Kiosk\n"
    assert problems(text) == [
        "app.yaml:4:5: unknown mandate type 'Kiosq' (did you mean 'Kiosk'?)",
        "app.yaml:5:5: unknown mandate type 'Nothing like it'",
        "app.yaml:7:5: mandate type 'Kiosk' is listed twice",
    ]


def test_mandate_types_are_not_checked_without_a_store():
    text = "entity_id: https://a.be/x\nmandate_types: [Kiosq]\n"
    result = read_policy("app.yaml", text, None)
    assert result.issues == () and result.policy.mandate_types == {"Kiosq"}


def test_attribute_problems():
    text = (
        "entity_id: https://a.be/x\n"
        "mandate_types: [Kiosk]\n"
        "attributes:\n"
        "  LegalSubjectId: x\n"  # 4: unknown key, close to LegalSubjectID
        "  ActingSubjectID: same\n"
        "  MandateID: same\n"  # 6: SAML name already given
        "  MandateType: {name: MT, format: basix}\n"  # 7: bad format
        "  LoginKind: {nam: LK}\n"  # 8: unknown part, and no name
        "  MandateValidFrom: 3\n"  # 9: wrong type
        "  Colour:\n"  # 10: unknown, no guess
    )
    assert problems(text) == [
        "app.yaml:4:3: unknown attribute 'LegalSubjectId' (did you mean 'LegalSubjectID'?)",
        "app.yaml:6:14: SAML name 'same' is already given to ActingSubjectID",
        "app.yaml:7:35: expected one of uri, basic, unspecified, got 'basix' (did you mean 'basic'?)",
        "app.yaml:8:14: attribute 'LoginKind' needs a name",
        "app.yaml:8:15: unknown key 'nam' (did you mean 'name'?); expected name and format",
        "app.yaml:9:21: expected null, a SAML name or a mapping with name and format, got a number",
        "app.yaml:10:3: unknown attribute 'Colour'",
    ]


def test_keys_that_contradict_each_other():
    text = (
        "entity_id: https://a.be/x\nlogin:\n  member_right: WSE Loket gebruiker\nnameid:\n  source: ActingSubjectID\n"
    )
    assert problems(text) == [
        "app.yaml:1:1: login.mandate is true but mandate_types is empty: list the mandate types that open "
        "this application, or set login.mandate: false",
        "app.yaml:3:17: login.member_right only applies with login.work_relationship: true",
        "app.yaml:5:11: nameid.source 'ActingSubjectID' only goes with nameid.format unspecified; "
        "persistent and transient identifiers are made by the broker (source: pairwise)",
    ]


def test_no_login_kind_at_all():
    text = "entity_id: https://a.be/x\nlogin:\n  own_name: false\n  mandate: false\n"
    assert problems(text) == ["app.yaml:3:3: no kind of login is allowed: nobody could log in to this application"]


def test_unspecified_nameid_needs_an_identifier():
    text = "entity_id: https://a.be/x\nmandate_types: [Kiosk]\nnameid:\n  format: unspecified\n"
    assert problems(text) == [
        "app.yaml:4:11: nameid.format unspecified needs nameid.source ActingSubjectID or LegalSubjectID"
    ]


def test_a_wrong_key_does_not_also_raise_its_rules():
    # mandate_types is wrong on its own; "mandate needs a type" would only repeat that
    text = "entity_id: https://a.be/x\nmandate_types: [Kiosq]\n"
    assert problems(text) == ["app.yaml:2:17: unknown mandate type 'Kiosq' (did you mean 'Kiosk'?)"]


def test_every_problem_at_once_in_file_order():
    text = (
        "entity_id: https://a.be/x\n"
        "mandate_types: [Kiosq]\n"
        "signing: everything\n"
        "skip_single_option: perhaps\n"
        "colour: blue\n"
    )
    assert [problem.split(":")[1] for problem in problems(text)] == ["2", "3", "4", "5"]


def test_not_utf8_points_at_the_byte(tmp_path):
    file = tmp_path / "app.yaml"
    file.write_bytes(b"entity_id: https://a.be/x\nlogin:\n  member_right: caf\xe9\n")
    [issue] = read_file(file).issues
    assert (issue.line, issue.column, issue.message) == (3, 20, "not UTF-8 text")


def test_a_valid_file_has_no_problems_and_gives_a_policy():
    result = read_policy("app.yaml", "entity_id: https://a.be/x\nmandate_types: [Kiosk]\n", KNOWN)
    assert result.issues == () and result.policy.entity_id == "https://a.be/x"
    assert result.policy.source == "app.yaml"
