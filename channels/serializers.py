from channels.models import Channel
from omnitron.serializers import JSONObjectModelSerializer


class ChannelSerializer(JSONObjectModelSerializer):
    class Meta:
        model = Channel
        fields = [
            "id",
            "name",
            "catalog",
            "channel_type",
            "conf",
            "category_tree",
            "is_active",
            "schema",
            "created_date",
            "modified_date",
        ]
        read_only_fields = ["created_date", "modified_date"]
