import pytest

from broker.saml.certgen import generate
from tests.metadata.helpers import MetadataServer


@pytest.fixture
def server():
    running = MetadataServer()
    yield running
    running.close()


def _pair(factory, name):
    folder = factory.mktemp(name)
    key, cert = str(folder / f"{name}.key"), str(folder / f"{name}.crt")
    generate(key, cert, name)
    return key, cert


@pytest.fixture(scope="session")
def federation(tmp_path_factory):
    """The key a metadata publisher signs with; the broker pins its certificate."""
    return _pair(tmp_path_factory, "federation")


@pytest.fixture(scope="session")
def stranger(tmp_path_factory):
    return _pair(tmp_path_factory, "stranger")


@pytest.fixture(scope="session")
def sp_keys(tmp_path_factory):
    return _pair(tmp_path_factory, "sp")
