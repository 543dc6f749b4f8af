from django.db import transaction
from rest_framework import viewsets

from channels.filters import ChannelFilterSet
from channels.models import Channel
from channels.serializers import ChannelSerializer
from idempotency.views import IdempotencyKeyMixin
from omnitron.conditional import ConditionalRequestsMixin, check_if_match


class ChannelViewSet(IdempotencyKeyMixin, ConditionalRequestsMixin, viewsets.ModelViewSet):
    """Sales channels. A channel that still has customers cannot be deleted (400).

    If-Match is checked under the row lock, in the same transaction as the write.
    """

    queryset = Channel.objects.all()
    serializer_class = ChannelSerializer
    filterset_class = ChannelFilterSet
    # Every channel write (this view, the admin) is a Model.save(), which stamps
    # modified_date; there is no service yet to increment a version.
    etag_source = "modified_date"

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.instance = self._locked(serializer.instance)
            serializer.save()

    def perform_destroy(self, instance):
        with transaction.atomic():
            self._locked(instance).delete()

    def _locked(self, channel: Channel) -> Channel:
        current = Channel.objects.select_for_update().get(pk=channel.pk)
        check_if_match(current, self.if_match_tags, self.etag_source)
        return current
