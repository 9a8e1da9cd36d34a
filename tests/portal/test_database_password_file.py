"""The PostgreSQL backend reads DATABASE_PASSWORD_FILE for every new connection, so a password
rotated by RDS (and written to the mounted Secret by an operator) is used without a restart.

Against the real test server, with a DATABASE_URL that carries no password: the password psycopg
receives is recorded for each connection. (Whether the server then checks it depends on its
pg_hba.conf, which on some machines trusts loopback connections, so the test asserts what the
backend sends rather than what the server refuses.)"""

import contextlib
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.backends.postgresql import base as postgresql

from portal.database.password import read_password
from tests.support.postgres import server_url

ALIAS = "password-file-test"


def test_read_password_strips_only_the_trailing_newline(tmp_path):
    path = tmp_path / "password"
    path.write_text("  p@ss:word/with?url#chars \n")
    assert read_password(str(path)) == "  p@ss:word/with?url#chars "
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(ImproperlyConfigured, match="not UTF-8 text"):
        read_password(str(path))


@pytest.fixture
def file_connection(tmp_path, monkeypatch, django_db_blocker):
    """(connection alias using PASSWORD_FILE, the file, passwords psycopg was given)."""
    url = urlsplit(server_url())
    password_file = tmp_path / "password"
    sent = []
    real_connect = postgresql.Database.connect

    def recording_connect(*args, **kwargs):
        sent.append(kwargs.get("password"))
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(postgresql.Database, "connect", recording_connect)
    connections.settings[ALIAS] = {
        **connections.settings["default"],
        "ENGINE": "portal.database.postgresql",
        "NAME": url.path.lstrip("/"),
        "USER": url.username,
        "PASSWORD": "",  # nothing in the URL: only the file
        "HOST": url.hostname,
        "PORT": url.port or 5432,
        "PASSWORD_FILE": str(password_file),
        "CONN_MAX_AGE": 0,
        "OPTIONS": {"connect_timeout": 5},
        "TEST": {},
    }
    try:
        # Our own connection to the server's database, not the test database pytest-django guards.
        with django_db_blocker.unblock():
            yield connections[ALIAS], password_file, sent, url.password
    finally:
        connections[ALIAS].close()
        del connections.settings[ALIAS]


@pytest.mark.integration
def test_each_new_connection_reads_the_current_password(file_connection):
    connection, password_file, sent, real_password = file_connection
    password_file.write_text(real_password + "\n")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == urlsplit(server_url()).username
    assert sent == [real_password]

    with connection.cursor() as cursor:  # the open connection is reused: no new read
        cursor.execute("SELECT 1")
    assert sent == [real_password]

    # RDS rotates the password and the operator rewrites the mounted file: the next connection
    # of the same process sends the new one.
    connection.close()
    password_file.write_text("rotated-Pa55word\n")
    # A server that checks passwords refuses it; a trusting one lets it in. Either is fine here.
    with contextlib.suppress(Exception):
        connection.ensure_connection()
    assert sent == [real_password, "rotated-Pa55word"]
