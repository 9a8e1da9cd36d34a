"""Fixtures for the serving tests: nginx (the repository's config) in front of a fake app that
echoes what it receives, and the full production-like stack (PostgreSQL, gunicorn, nginx)."""

import pytest

from tests.serving.fake_app import FakeApp
from tests.serving.stack import serving_stack
from tests.support.nginx import run_nginx


@pytest.fixture(scope="module")
def fake(tmp_path_factory):
    """(fake app, nginx in front of it)."""
    with FakeApp() as app, run_nginx(app.address, tmp_path_factory.mktemp("nginx")) as nginx:
        yield app, nginx


@pytest.fixture(scope="module")
def stack():
    with serving_stack(workers=2) as running:
        yield running
