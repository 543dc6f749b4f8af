"""Token authentication that reads the token, its user and the user's permissions at once.

DRF's TokenAuthentication reads the token and user in one query, then the
first permission check reads the user's own and group permissions in two
more. Every API request pays those three round trips; here they are one: the
permission names come back with the token as a JSON array and fill the cache
Django's ModelBackend keeps on the user (`_perm_cache`), so `has_perm` reads
no table. The answer is as fresh as Django's own: read once per request.

This holds for ModelBackend, the only authentication backend in settings.
"""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import JSONField
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

# Aggregates of the permission names into one JSON array, by database vendor.
JSON_ARRAY_AGGREGATES = {"postgresql": "jsonb_agg", "sqlite": "json_group_array"}


def permission_names_sql(connection, user_column: str) -> str:
    """A scalar subquery: the "app_label.codename" of every permission the user holds.

    The user's own permissions and those of their groups, each once, as a JSON
    array (null when there are none).
    """
    user_permissions = Permission.user_set.through._meta
    group_permissions = Group.permissions.through._meta
    user_groups = Group.user_set.through._meta
    q = connection.ops.quote_name
    aggregate = JSON_ARRAY_AGGREGATES[connection.vendor]
    return f"""(
        SELECT {aggregate}(ct.{q("app_label")} || '.' || p.{q("codename")})
        FROM {q(Permission._meta.db_table)} p
        JOIN {q(ContentType._meta.db_table)} ct ON ct.{q("id")} = p.{q("content_type_id")}
        WHERE p.{q("id")} IN (
            SELECT up.{q("permission_id")} FROM {q(user_permissions.db_table)} up
            WHERE up.{q("user_id")} = {user_column}
            UNION
            SELECT gp.{q("permission_id")} FROM {q(group_permissions.db_table)} gp
            JOIN {q(user_groups.db_table)} ug ON ug.{q("group_id")} = gp.{q("group_id")}
            WHERE ug.{q("user_id")} = {user_column}
        )
    )"""


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, with the user's permissions read in the same query."""

    def authenticate_credentials(self, key):
        tokens = Token.objects.select_related("user")
        connection = connections[tokens.db]
        if connection.vendor in JSON_ARRAY_AGGREGATES:
            q = connection.ops.quote_name
            sql = permission_names_sql(connection, f"{q(Token._meta.db_table)}.{q('user_id')}")
            tokens = tokens.annotate(permission_names=RawSQL(sql, [], output_field=JSONField()))
        try:
            token = tokens.get(key=key)
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if hasattr(token, "permission_names"):
            user._perm_cache = set(token.permission_names or ())
        return user, token
