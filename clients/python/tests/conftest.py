"""Clients of the running API (`make client-tests` starts one with the demo data)."""

import os

import pytest

from whatsapp_gateway_client import AuthenticatedClient


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run these tests with `make client-tests` (it starts the local API)")
    return value


def _client(token: str) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=_env("GATEWAY_URL"), token=token, timeout=10.0)


@pytest.fixture(scope="session")
def api():
    """A script's client: the demo organization's API key (read, send)."""
    with _client(_env("GATEWAY_API_KEY")) as client:
        yield client


@pytest.fixture(scope="session")
def frontend():
    """A web frontend's client: a login JWT of a demo-org admin."""
    with _client(_env("GATEWAY_LOGIN_TOKEN")) as client:
        yield client


@pytest.fixture(scope="session")
def member():
    """A login JWT of a demo-org member (read only)."""
    with _client(_env("GATEWAY_MEMBER_TOKEN")) as client:
        yield client


@pytest.fixture(scope="session")
def stranger():
    """A made-up API key."""
    with _client("wgk_notARealKey") as client:
        yield client
