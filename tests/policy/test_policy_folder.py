"""Folders of files: duplicates across files, every file's problems at once, what counts as a policy file."""

from broker.policy.loader import load
from tests.policy.policy_helpers import policy_text


def test_duplicate_entity_id_across_files_names_both_places(folder):
    folder.write("a.yaml", policy_text("https://app.example.be/saml"))
    folder.write("b.yml", "# same application, second file\n" + policy_text("https://app.example.be/saml"))
    result = load([folder.path])
    assert [str(issue) for issue in result.issues] == [
        f"{folder.path}/b.yml:2:12: entity_id 'https://app.example.be/saml' is already used by "
        f"{folder.path}/a.yaml:1:12"
    ]
    assert list(result.policies) == ["https://app.example.be/saml"]


def test_problems_of_every_file_at_once(folder):
    folder.write("a.yaml", "entity_id: https://a.be/x\nmandate_types: [Kiosk]\nsiging: both\n")
    folder.write("b.yaml", "entity_id: https://b.be/x\nmandate_types: [Kiosk\n")
    folder.write("c.yaml", policy_text("https://c.be/x"))
    result = load([folder.path])
    assert [(issue.file.rsplit("/", 1)[1], issue.line, issue.column) for issue in result.issues] == [
        ("a.yaml", 3, 1),
        ("b.yaml", 3, 1),
    ]
    assert list(result.policies) == ["https://c.be/x"]


def test_hidden_files_and_other_suffixes_are_not_policies(folder):
    folder.write("app.yaml", policy_text())
    folder.write(".app.yaml.swp", "garbage: [")
    folder.write("#app.yaml#", "garbage: [")
    folder.write("README.txt", "not a policy")
    result = load([folder.path])
    assert result.issues == [] and len(result.files) == 1


def test_files_and_folders_can_be_mixed_and_missing_paths_are_reported(folder, tmp_path):
    single = tmp_path / "other.yaml"
    single.write_text(policy_text("https://other.be/x"))
    folder.write("app.yaml", policy_text())
    result = load([folder.path, single, tmp_path / "nope"])
    assert sorted(result.policies) == ["https://app.example.be/saml", "https://other.be/x"]
    assert [str(issue) for issue in result.issues] == [f"{tmp_path}/nope: no such file or folder"]
