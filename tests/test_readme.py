import os
from dataclasses import fields

from broker.attributes import VOCABULARY
from broker.settings import KEYS, Serve
from tests.conftest import REPO


def test_readme_documents_every_attribute():
    readme = open(os.path.join(REPO, "README.md"), encoding="utf-8").read()
    missing = [key for key in VOCABULARY if f"| `{key}` |" not in readme]
    assert missing == []


def test_ci_runs_exactly_the_readme_test_command():
    readme = open(os.path.join(REPO, "README.md"), encoding="utf-8").read()
    ci = open(os.path.join(REPO, ".ci", "run"), encoding="utf-8").read()
    assert "bin/test    # every test" in readme
    assert ci.strip().splitlines()[-1] == "bash bin/test"


def test_readme_configuration_table_lists_every_settings_key():
    readme = open(os.path.join(REPO, "README.md"), encoding="utf-8").read()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    key_cells = " ".join(line.split(" | ")[0] for line in section.splitlines() if line.startswith("| `"))
    assert [name for name in KEYS if f"`{name.upper()}`" not in key_cells] == []
    running = readme.split("## Running it", 1)[1].split("\n## ", 1)[0]
    assert [f.name for f in fields(Serve) if f"`{f.name}`" not in running] == []
