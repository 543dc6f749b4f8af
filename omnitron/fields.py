from django.db import models

from omnitron.validators import validate_json_object


class JSONObjectField(models.JSONField):
    """A JSON field holding an object, validated by `validate_json_object`.

    Django's JSONField.validate() serialises the value before running
    validators, and that recursion has no bound: the shape is checked first,
    so a value nested too deep is a ValidationError, not a RecursionError.
    """

    default_validators = [validate_json_object]

    def validate(self, value, model_instance):
        validate_json_object(value)
        super().validate(value, model_instance)
