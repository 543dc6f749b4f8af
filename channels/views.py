from django_filters import rest_framework as filters
from rest_framework import viewsets

from channels.models import Channel, ChannelType
from channels.serializers import ChannelSerializer
from omnitron.filters import BoundedTextFilterSet, StrictBooleanFilter


class ChannelFilterSet(BoundedTextFilterSet):
    channel_type = filters.ChoiceFilter(choices=ChannelType.choices)
    is_active = StrictBooleanFilter()

    class Meta:
        model = Channel
        fields: list[str] = []


class ChannelViewSet(viewsets.ModelViewSet):
    """Sales channels. A channel that still has customers cannot be deleted (400)."""

    queryset = Channel.objects.all()
    serializer_class = ChannelSerializer
    filterset_class = ChannelFilterSet
