"""PostgreSQL backend: django-prometheus' instrumented backend, plus a password read from a file
each time a connection is opened.

Why: RDS rotates the master password in Secrets Manager (every 30 days here). A password baked
into DATABASE_URL goes stale at the next rotation, and every new connection fails until someone
rebuilds the Secret and restarts the pods. With DATABASE_PASSWORD_FILE pointing at a mounted
Kubernetes Secret that an operator keeps in sync (External Secrets Operator, the Secrets Store
CSI driver; docs/aws-path.md), Kubernetes rewrites the file in place and the next connection
uses the new password. Persistent connections (CONN_MAX_AGE) are replaced within a minute.

Settings: DATABASES["default"]["PASSWORD_FILE"] (portal/settings/base.py sets it from
DATABASE_PASSWORD_FILE). Without it this backend behaves exactly like django-prometheus'.
"""

from django_prometheus.db.backends.postgresql import base

from portal.database.password import read_password


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        password_file = self.settings_dict.get("PASSWORD_FILE")
        if password_file:
            params["password"] = read_password(password_file)
        return params
