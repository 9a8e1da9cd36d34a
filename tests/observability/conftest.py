"""Fixtures of the observability tests that run real servers."""

import pytest

from tests.support.postgres import portal_database


@pytest.fixture(scope="module")
def portal_db_url():
    """A migrated PostgreSQL database with the built-in lessons, shared by a module's tests."""
    with portal_database() as url:
        yield url
