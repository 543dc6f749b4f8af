from django.db import models
from rest_framework import serializers

from omnitron.validators import MAX_JSON_DEPTH


class JSONObjectSerializerField(serializers.JSONField):
    """The serializer field of the models' JSON fields.

    A form upload sends the field as a JSON string: one nested too deep to
    decode is a 400 on the field, not a RecursionError. Depth and content of a
    decoded value are checked by the model field's `validate_json_object`.
    """

    default_error_messages = {"too_deep": f"Nested deeper than {MAX_JSON_DEPTH} levels."}

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except RecursionError:
            self.fail("too_deep")


class JSONObjectModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.JSONField: JSONObjectSerializerField,
    }
