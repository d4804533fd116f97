import pytest

from gongkai.identity.tests.cas_server import running_cas_server
from gongkai.identity.tests.provider import running_provider


@pytest.fixture
def oidc_provider():
    """A real local OpenID Connect provider (see ``provider.py`` for its API)."""
    with running_provider() as op:
        yield op


@pytest.fixture
def cas_server():
    """A real local CAS server (see ``cas_server.py``)."""
    with running_cas_server() as server:
        yield server
