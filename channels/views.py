from django.http import Http404
from django.shortcuts import get_object_or_404
from rest_framework import viewsets

from audit.context import audit_context_for_request
from channels.filters import ChannelFilterSet
from channels.models import Channel
from channels.serializers import ChannelSerializer
from channels.services import ChannelService
from idempotency.views import IdempotencyKeyMixin
from omnitron.conditional import ConditionalRequestsMixin


class ChannelViewSet(IdempotencyKeyMixin, ConditionalRequestsMixin, viewsets.ModelViewSet):
    """Sales channels. A channel that still has customers cannot be deleted (400).

    Writes go through ChannelService with the request's audit context; it
    checks If-Match under the row lock, in the same transaction as the write.
    """

    queryset = Channel.objects.all()
    serializer_class = ChannelSerializer
    filterset_class = ChannelFilterSet
    # ChannelService saves a channel only when a field changes, and every save
    # stamps modified_date: the tag follows it.
    etag_source = "modified_date"

    def perform_create(self, serializer):
        serializer.instance = ChannelService.create_channel(
            audit_context=audit_context_for_request(self.request), **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = ChannelService.update_channel(
            channel=serializer.instance,
            audit_context=audit_context_for_request(self.request),
            if_match=self.if_match_tags,
            **serializer.validated_data,
        )

    def perform_destroy(self, instance):
        ChannelService.delete_channel(
            channel=instance,
            audit_context=audit_context_for_request(self.request),
            if_match=self.if_match_tags,
        )


class ChannelOfURLMixin:
    """For the views under `channel/{channel_id}/`: the sales channel the URL names.

    An unknown channel is a 404, as is a run of digits too long for an integer
    (Python refuses to convert over 4300 digits): no channel, not a 500.
    """

    def get_channel(self) -> Channel:
        if not hasattr(self, "_channel"):
            try:
                channel_id = int(self.kwargs["channel_id"])
            except ValueError:
                raise Http404 from None
            self._channel = get_object_or_404(Channel, pk=channel_id)
        return self._channel
