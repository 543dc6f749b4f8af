from django_filters import rest_framework as filters
from rest_framework import viewsets

from audit.context import audit_context_for_request
from channels.models import Channel, ChannelType
from channels.serializers import ChannelSerializer
from channels.services import ChannelService
from omnitron.filters import BoundedTextFilterSet, StrictBooleanFilter


class ChannelFilterSet(BoundedTextFilterSet):
    channel_type = filters.ChoiceFilter(choices=ChannelType.choices)
    is_active = StrictBooleanFilter()

    class Meta:
        model = Channel
        fields: list[str] = []


class ChannelViewSet(viewsets.ModelViewSet):
    """Sales channels. A channel that still has customers cannot be deleted (400).

    Writes go through ChannelService with the request's audit context.
    """

    queryset = Channel.objects.all()
    serializer_class = ChannelSerializer
    filterset_class = ChannelFilterSet

    def perform_create(self, serializer):
        serializer.instance = ChannelService.create_channel(
            audit_context=audit_context_for_request(self.request), **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = ChannelService.update_channel(
            channel=serializer.instance,
            audit_context=audit_context_for_request(self.request),
            **serializer.validated_data,
        )

    def perform_destroy(self, instance):
        ChannelService.delete_channel(
            channel=instance, audit_context=audit_context_for_request(self.request)
        )
