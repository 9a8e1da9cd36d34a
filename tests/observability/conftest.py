"""Fixtures of the observability tests that run real servers."""

import pytest

from tests.support.postgres import portal_database


@pytest.fixture(scope="session")
def portal_db_url():
    """A migrated PostgreSQL database with the built-in lessons, shared by the server tests
    (each uses its own user names; counters come from each server's fresh processes)."""
    with portal_database() as url:
        yield url
