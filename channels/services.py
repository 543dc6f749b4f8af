"""ChannelService: the only writer of sales channels.

The API, the admin and the commands call it. A channel's `conf` decides how
the order import recognises customers (CUSTOMER_IDENTIFIER_FIELD), so each
write runs in one transaction with its audit record, as customers' do.
"""

from collections.abc import Collection
from typing import Any

from django.db import transaction
from django.http import Http404

from audit.context import AuditContext, current_audit_context
from audit.models import Action, Source
from audit.services import record_audit_event
from channels.models import Channel
from omnitron.changes import apply_changes
from omnitron.conditional import check_if_match

READ_ONLY_FIELDS = frozenset({"id", "created_date", "modified_date"})
WRITABLE_FIELDS = frozenset(
    f.name for f in Channel._meta.concrete_fields if f.name not in READ_ONLY_FIELDS
)
SORTED_WRITABLE_FIELDS = tuple(sorted(WRITABLE_FIELDS))


class ChannelNotFound(Http404):
    """The channel is gone: another request deleted it since the caller read it.

    An Http404, so the API and the admin answer it as any unknown channel.
    """


def _resolve_audit_context(audit_context: AuditContext | None) -> AuditContext:
    return audit_context or current_audit_context() or AuditContext(source=Source.SHELL)


def _check_field_names(fields: dict) -> None:
    unknown = set(fields) - WRITABLE_FIELDS
    if unknown:
        raise TypeError(f"Not writable channel fields: {', '.join(sorted(unknown))}")


class ChannelService:
    @classmethod
    def create_channel(
        cls,
        *,
        name: str,
        catalog: int,
        channel_type: str,
        audit_context: AuditContext | None = None,
        **fields: Any,
    ) -> Channel:
        """Create a channel and its `create` audit record (every field, from None).

        Raises django's ValidationError for values the model refuses.
        """
        _check_field_names(fields)
        context = _resolve_audit_context(audit_context)
        channel = Channel(name=name, catalog=catalog, channel_type=channel_type, **fields)
        channel.full_clean()
        with transaction.atomic():
            channel.save(force_insert=True)
            changes = {field: [None, getattr(channel, field)] for field in SORTED_WRITABLE_FIELDS}
            record_audit_event(channel, Action.CREATE, changes, context)
        return channel

    @classmethod
    def update_channel(
        cls,
        *,
        channel: Channel,
        audit_context: AuditContext | None = None,
        if_match: Collection[str] | None = None,
        **fields: Any,
    ) -> Channel:
        """Apply the changed `fields` to the channel; return it as now stored.

        The row is locked for the transaction; only changed fields are saved
        and recorded, and a call that changes nothing writes nothing. Raises
        ChannelNotFound if the channel was deleted meanwhile, django's
        ValidationError for values the model refuses, and PreconditionFailed
        if its ETag is not one of `if_match` (when given).
        """
        _check_field_names(fields)
        context = _resolve_audit_context(audit_context)
        with transaction.atomic():
            current = cls._locked(channel.pk)
            check_if_match(current, if_match, "modified_date")
            changes = apply_changes(current, fields)
            if changes:
                current.clean_fields(exclude=WRITABLE_FIELDS - changes.keys())
                current.save(update_fields=[*changes, "modified_date"])
                record_audit_event(current, Action.UPDATE, changes, context)
        return current

    @classmethod
    def delete_channel(
        cls,
        *,
        channel: Channel,
        audit_context: AuditContext | None = None,
        if_match: Collection[str] | None = None,
    ) -> None:
        """Delete the channel, recording every field's last value.

        Raises django's ProtectedError while customers or orders refer to it
        (then nothing is removed or recorded), and ChannelNotFound if it was
        deleted meanwhile, and PreconditionFailed if its ETag is not one of
        `if_match` (when given).
        """
        context = _resolve_audit_context(audit_context)
        with transaction.atomic():
            current = cls._locked(channel.pk)
            check_if_match(current, if_match, "modified_date")
            changes = {field: [getattr(current, field), None] for field in SORTED_WRITABLE_FIELDS}
            record_audit_event(current, Action.DELETE, changes, context)
            current.delete()

    @staticmethod
    def _locked(pk: int) -> Channel:
        try:
            return Channel.objects.select_for_update().get(pk=pk)
        except Channel.DoesNotExist:
            raise ChannelNotFound() from None
