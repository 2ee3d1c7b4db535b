import os

from broker.attributes import VOCABULARY
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
