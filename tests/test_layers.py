"""Who may import whom: the store knows nothing of the broker; selection and policy know nothing of SAML;
the self-service application (selfservice/) knows the store and nothing of the broker; webserve/, which
both applications serve with, knows none of them."""

import subprocess
import sys

import pytest

CHECK = """
import importlib, pkgutil, sys
package = importlib.import_module({package!r})
for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    importlib.import_module(module.name)
print(" ".join(sorted(name for name in sys.modules if name == {forbidden!r} or name.startswith({forbidden!r} + "."))))
"""


@pytest.mark.parametrize(
    "package, forbidden",
    [
        ("mandates_store", "broker"),
        ("broker.selection", "broker.saml"),
        ("broker.policy", "broker.saml"),
        ("selfservice", "broker"),  # an application of the broker: it talks to it only through SAML
        ("mandates_store", "selfservice"),
        # what both applications serve with (JSON logs, gunicorn): it knows neither, nor the store
        ("webserve", "broker"),
        ("webserve", "selfservice"),
        ("webserve", "mandates_store"),
    ],
)
def test_package_does_not_import(package, forbidden):
    # a fresh interpreter: this test process has imported everything already
    code = CHECK.format(package=package, forbidden=forbidden)
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert found == [], f"{package} imports {found}"
