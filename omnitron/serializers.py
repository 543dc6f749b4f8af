import re

from django.db import models
from rest_framework import serializers

from omnitron.representation import PresentingModelSerializer
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


# A key sent as text (a form field) is ASCII digits; int() would also read "\u0661" as 1.
KEY_TEXT = re.compile(r"-?[0-9]+")


class IntegerPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """The integer key of a related object: a JSON integer, or its ASCII digits as text.

    DRF hands any value to `queryset.get(pk=...)`, and Django's int() makes
    1.5 into 1 and "\u0661" (ARABIC-INDIC DIGIT ONE) into 1: the wrong object
    instead of an error.
    """

    def to_internal_value(self, data):
        is_integer = isinstance(data, int) and not isinstance(data, bool)
        if not (is_integer or (isinstance(data, str) and KEY_TEXT.fullmatch(data))):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class JSONObjectModelSerializer(PresentingModelSerializer):
    serializer_related_field = IntegerPrimaryKeyRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.JSONField: JSONObjectSerializerField,
    }
