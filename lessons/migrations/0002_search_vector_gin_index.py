"""GIN index for full-text search. PostgreSQL only: SQLite has no GIN and uses the fallback
search, so the operation does nothing there (and is not part of the model state)."""

from django.db import migrations


class PostgresOnlySQL(migrations.RunSQL):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("lessons", "0001_initial")]

    operations = [
        PostgresOnlySQL(
            sql="CREATE INDEX lesson_search_vector_gin ON lessons_lesson USING gin (search_vector)",
            reverse_sql="DROP INDEX IF EXISTS lesson_search_vector_gin",
        )
    ]
