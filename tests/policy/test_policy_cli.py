"""`broker policy check` and `broker policy docs`, run as an operator's CI would."""

from pathlib import Path

from click.testing import CliRunner

from broker.policy.cli import policy
from broker.policy.docs import render
from tests.policy.policy_helpers import policy_text

REPO = Path(__file__).resolve().parents[2]


def run(*args: str, env=None):
    return CliRunner().invoke(policy, list(args), env=env)


def test_check_a_good_folder_exits_0_and_says_types_were_not_checked(folder):
    folder.write("app.yaml", policy_text())
    result = run("check", "--policies", str(folder.path))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "mandate types not checked against a store (no --store given)" in result.stderr
    assert "1 policy file OK" in result.stderr


def test_check_prints_every_problem_and_exits_1(folder):
    folder.write("a.yaml", "entity_id: https://a.be/x\nmandate_types: [Kiosk]\nsiging: both\nlogin: {mandate: maybe}\n")
    folder.write("b.yaml", "entity_id: https://a.be/x\nmandate_types: [Kiosk]\n")
    result = run("check", str(folder.path))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{folder.path}/a.yaml:3:1: unknown key 'siging' (did you mean 'signing'?)",
        f"{folder.path}/a.yaml:4:18: expected true or false, got a text",
        f"{folder.path}/b.yaml:1:12: entity_id 'https://a.be/x' is already used by {folder.path}/a.yaml:1:12",
    ]
    assert "3 problems in 2 files" in result.stderr


def test_check_takes_single_files_and_the_folder_from_the_environment(folder, tmp_path):
    folder.write("app.yaml", policy_text())
    single = tmp_path / "draft.yaml"
    single.write_text("entity_id: https://draft.be/x\nmandate_types: []\n")
    assert run("check", str(single)).exit_code == 1
    assert run("check", env={"BROKER_POLICY_DIR": str(folder.path)}).exit_code == 0


def test_check_an_empty_folder_fails(folder):
    result = run("check", str(folder.path))
    assert result.exit_code == 1
    assert result.stdout == f"{folder.path}: no policy files (*.yaml, *.yml) in this folder\n"


def test_the_shipped_policies_folder_checks_clean():
    result = run("check", str(REPO / "policies"))
    assert result.exit_code == 0, result.stdout


def test_docs_policy_md_is_generated_from_the_current_schema():
    # when this fails: broker policy docs --output docs/policy.md
    assert (REPO / "docs" / "policy.md").read_text(encoding="utf-8") == render()


def test_docs_check_and_output(tmp_path):
    target = tmp_path / "policy.md"
    assert run("docs", "--check", "--output", str(target)).exit_code == 1
    assert run("docs", "--output", str(target)).exit_code == 0
    assert run("docs", "--check", "--output", str(target)).exit_code == 0
    target.write_text(target.read_text() + "hand edit\n")
    stale = run("docs", "--check", "--output", str(target))
    assert stale.exit_code == 1 and "is stale" in stale.stderr


def test_docs_document_every_key_and_every_attribute():
    from broker.attributes import VOCABULARY
    from broker.policy.schema import KEYS

    text = render()
    for key in KEYS:
        assert f"### `{key.path}`" in text
    for name in VOCABULARY:
        assert f"| `{name}` |" in text


def test_check_against_a_store_reports_unknown_mandate_types(folder, tmp_path):
    from tests.policy.policy_store_fixture import build_store

    build_store(tmp_path / "store.db")
    folder.write("app.yaml", policy_text(types="[WSE Loket, Kiosk]"))
    folder.write("other.yaml", policy_text("https://other.be/x", types="[Kiosq]"))
    result = run("check", str(folder.path), "--store", str(tmp_path / "store.db"))
    assert result.exit_code == 1
    assert result.stdout == f"{folder.path}/other.yaml:2:17: unknown mandate type 'Kiosq' (did you mean 'Kiosk'?)\n"
    assert "not checked" not in result.stderr


def test_the_broker_command_has_the_policy_commands(folder):
    from broker.cli import main

    folder.write("app.yaml", policy_text())
    result = CliRunner().invoke(main, ["policy", "check", str(folder.path)])
    assert result.exit_code == 0 and "1 policy file OK" in result.stderr
