from rest_framework import serializers

from channels.models import Channel


class ChannelSerializer(serializers.ModelSerializer):
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
