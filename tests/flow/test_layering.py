"""The flows coordinate and know no XML: no lxml, no SAML namespace constants (broker.saml does that)."""

import ast
from pathlib import Path

import pytest

BROKER = Path(__file__).resolve().parents[2] / "broker"
FLOWS = ["login_flow.py", "logout_flow.py"]
FORBIDDEN = ("lxml", "broker.saml.ns")


def imported(path: Path) -> set[str]:
    """Every module the file imports, `from a import b` counted as both a and a.b."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("flow", FLOWS)
def test_a_flow_imports_no_xml(flow):
    found = {n for n in imported(BROKER / flow) if any(n == f or n.startswith(f + ".") for f in FORBIDDEN)}
    assert not found, f"{flow} imports {sorted(found)}"


def test_the_check_sees_every_import_form(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import lxml.etree\nfrom broker.saml import ns\nfrom broker.saml.ns import q\n")
    assert {"lxml.etree", "broker.saml.ns", "broker.saml.ns.q"} <= imported(sample)
