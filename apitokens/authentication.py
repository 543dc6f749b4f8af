"""Token authentication that reads the token, its user and the user's permissions at once.

DRF's TokenAuthentication reads the token and user in one query, then the
first permission check reads the user's own and group permissions in two
more. Every API request pays those three round trips; here they are one: the
permission names come back with the token as a JSON array and fill the cache
Django's ModelBackend keeps on the user (`_perm_cache`), so `has_perm` reads
no table. The answer is as fresh as Django's own: read once per request.

That cache is ModelBackend's: with any other AUTHENTICATION_BACKENDS the
permissions are left for the backends to read, as Django would.

A request with a bad token (unknown, revoked, expired, malformed) counts
against its client address (apitokens/throttling.py); past the limit it is
answered 429. A good token never touches the cache: its request stays one query.
"""

import dataclasses
import functools
import json
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Model
from django.db.models.expressions import Col
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from apitokens.models import Token, digest_of
from apitokens.throttling import bad_token_limit, client_address
from omnitron.db_router import set_caller

# On PostgreSQL the permission names come from a PL/pgSQL function: it keeps
# its plan for the connection's life, where the same subquery inline was
# planned again on every request (0.3 ms of the database's time each).
# Created by apitokens/migrations/0001_initial.py, which holds its SQL.
PERMISSION_NAMES_FUNCTION = "apitokens_permission_names"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def permission_names_sql(quote: Callable[[str], str], aggregate: str, user_id: str) -> str:
    """A scalar subquery: the "app_label.codename" of every permission the user holds.

    The user's own permissions and those of their groups, each once, as a JSON
    array made by `aggregate` (null when there are none). The PostgreSQL
    function runs the same query (with jsonb_agg).
    """
    user_permissions = Permission.user_set.through._meta
    group_permissions = Group.permissions.through._meta
    user_groups = Group.user_set.through._meta
    q = quote
    return f"""(
        SELECT {aggregate}(ct.{q("app_label")} || '.' || p.{q("codename")})
        FROM {q(Permission._meta.db_table)} p
        JOIN {q(ContentType._meta.db_table)} ct ON ct.{q("id")} = p.{q("content_type_id")}
        WHERE p.{q("id")} IN (
            SELECT up.{q("permission_id")} FROM {q(user_permissions.db_table)} up
            WHERE up.{q("user_id")} = {user_id}
            UNION
            SELECT gp.{q("permission_id")} FROM {q(group_permissions.db_table)} gp
            JOIN {q(user_groups.db_table)} ug ON ug.{q("group_id")} = gp.{q("group_id")}
            WHERE ug.{q("user_id")} = {user_id}
        )
    )"""


def permission_names_expression(connection, user_id: str) -> str:
    if connection.vendor == "postgresql":
        return f"{PERMISSION_NAMES_FUNCTION}({user_id})"
    return permission_names_sql(connection.ops.quote_name, "json_group_array", user_id)


@dataclasses.dataclass(frozen=True)
class SelectedModel:
    """A model's concrete columns in a hand-written SELECT, and how to read them back."""

    model: type[Model]
    columns: tuple[Col, ...]
    converters: tuple[tuple, ...]  # per column, what the ORM's compiler would apply

    @classmethod
    def of(cls, model: type[Model], connection) -> "SelectedModel":
        table = model._meta.db_table
        columns = tuple(field.get_col(table) for field in model._meta.concrete_fields)
        converters = tuple(
            tuple(connection.ops.get_db_converters(column) + column.get_db_converters(connection))
            for column in columns
        )
        return cls(model, columns, converters)

    def select_list(self, connection) -> str:
        q = connection.ops.quote_name
        return ", ".join(f"{q(column.alias)}.{q(column.target.column)}" for column in self.columns)

    def instance(self, values, connection, alias: str) -> Model:
        values = list(values)
        for index, converters in enumerate(self.converters):
            for converter in converters:
                values[index] = converter(values[index], self.columns[index], connection)
        return self.model.from_db(alias, None, values)


@functools.cache
def token_statement(alias: str) -> tuple[str, SelectedModel, SelectedModel]:
    """The SQL reading a token, its user and the permission names, made once per database.

    Compiling the equivalent ORM query (select_related plus the annotation)
    took as long as running it; the text never changes, so it is made once.
    """
    connection = connections[alias]
    q = connection.ops.quote_name
    token = SelectedModel.of(Token, connection)
    user = SelectedModel.of(get_user_model(), connection)
    token_table, user_table = q(Token._meta.db_table), q(user.model._meta.db_table)
    token_user = f"{token_table}.{q(Token._meta.get_field('user').column)}"
    sql = (
        f"SELECT {permission_names_expression(connection, token_user)}, "
        f"{token.select_list(connection)}, {user.select_list(connection)} "
        f"FROM {token_table} JOIN {user_table} "
        f"ON {user_table}.{q(user.model._meta.pk.column)} = {token_user} "
        f"WHERE {token_table}.{q(Token._meta.get_field('digest').column)} = %s"
    )
    return sql, token, user


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`, read with the user's permissions in one query."""

    model = Token

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            wait = bad_token_limit().record_failure(client_address(request))
            if wait is not None:
                raise exceptions.Throttled(wait) from None
            raise

    def authenticate_credentials(self, key):
        """The token's user, read where the request reads (a replica: omnitron/db_router.py).

        A token unknown to a replica may have been made a moment ago: the
        primary is asked too. Once the caller is known, a token read from a
        replica is read again where the caller's reads now go, when that has
        changed: the replica may not have replayed the caller's own writes (a
        revoke, say).
        """
        alias = router.db_for_read(Token)
        row = self.token_row(alias, key)
        if row is None and alias != DEFAULT_DB_ALIAS:
            alias = DEFAULT_DB_ALIAS
            row = self.token_row(alias, key)
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user, token = self.user_and_token(row, alias)
        set_caller(user.pk)
        caller_alias = router.db_for_read(Token)
        if alias != DEFAULT_DB_ALIAS and caller_alias != alias:
            row = self.token_row(caller_alias, key)
            if row is None:
                raise exceptions.AuthenticationFailed(_("Invalid token."))
            user, token = self.user_and_token(row, caller_alias)
        return user, token

    @staticmethod
    def token_row(alias: str, key: str) -> tuple | None:
        sql, _token_columns, _user_columns = token_statement(alias)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, [digest_of(key)])
            return cursor.fetchone()

    @staticmethod
    def user_and_token(row: tuple, alias: str) -> tuple:
        connection = connections[alias]
        _sql, token_columns, user_columns = token_statement(alias)
        permission_names, *values = row
        split = len(token_columns.columns)
        token = token_columns.instance(values[:split], connection, alias)
        if token.revoked is not None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.expires is not None and token.expires <= timezone.now():
            raise exceptions.AuthenticationFailed(_("Token has expired."))
        user = user_columns.instance(values[split:], connection, alias)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if list(settings.AUTHENTICATION_BACKENDS) == [MODEL_BACKEND]:
            # JSON text on every database (Django reads jsonb as text); null when there are none.
            user._perm_cache = set(json.loads(permission_names) if permission_names else ())
        token.user = user
        return user, token
