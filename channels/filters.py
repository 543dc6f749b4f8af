from django_filters import rest_framework as filters

from channels.models import Channel, ChannelType
from omnitron.filters import BoundedTextFilterSet, StrictBooleanFilter


class ChannelFilterSet(BoundedTextFilterSet):
    channel_type = filters.ChoiceFilter(choices=ChannelType.choices)
    is_active = StrictBooleanFilter()

    class Meta:
        model = Channel
        fields: list[str] = []
