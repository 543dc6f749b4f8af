"""Migration operations that migrations import by path: keep their names and signatures.

A squashed migration copies these operations by their import path and keyword
arguments (`squashmigrations` serializes each one), so a migration using them
squashes like one using Django's own. Every SQL text stays in the migration
that runs it.
"""

from django.db.migrations.operations.special import RunSQL


class PostgreSQLOnlySQL(RunSQL):
    """`RunSQL` that runs on PostgreSQL and does nothing elsewhere (SQLite).

    For what only PostgreSQL has: GIN and pattern indexes, PL/pgSQL functions.
    Pass each statement as an item of a list: a list is run statement by
    statement, as written, where a string would be split by sqlparse (which
    does not know PL/pgSQL's `$$` bodies).
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return "Raw SQL operation (PostgreSQL only)"
