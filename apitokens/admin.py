from django.contrib import admin

from apitokens.models import Token


@admin.register(Token)
class TokenAdmin(admin.ModelAdmin):
    """Tokens by the start of their digest: the keys themselves are never stored.

    Staff may revoke a token or change its expiry; new tokens come from login
    or `create_api_user`, which are the only places a key is shown.
    """

    list_display = ["digest_prefix", "user", "created", "expires", "revoked"]
    list_filter = ["revoked", "expires", "created"]
    search_fields = ["user__username", "digest"]
    list_select_related = ["user"]
    readonly_fields = ["digest_prefix", "user", "created"]
    fields = ["digest_prefix", "user", "created", "expires", "revoked"]
    date_hierarchy = "created"

    @admin.display(description="digest")
    def digest_prefix(self, token: Token) -> str:
        return f"{token.digest[:12]}…"

    def has_add_permission(self, request) -> bool:
        return False
