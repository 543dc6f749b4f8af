from rest_framework import viewsets

from channels.filters import ChannelFilterSet
from channels.models import Channel
from channels.serializers import ChannelSerializer


class ChannelViewSet(viewsets.ModelViewSet):
    """Sales channels. A channel that still has customers cannot be deleted (400)."""

    queryset = Channel.objects.all()
    serializer_class = ChannelSerializer
    filterset_class = ChannelFilterSet
