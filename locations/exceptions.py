"""Errors LocationService raises.

A LocationError is a Django ValidationError keyed by field, so the shared
exception handler answers it as a 400 naming the field, and an admin form
shows it beside the field.
"""

from django.core.exceptions import ValidationError

NOT_IN_PARENT_MESSAGES = {
    "city": "This city is not in the given country.",
    "township": "This township is not in the given city.",
}
DUPLICATE_NAME_MESSAGES = {
    "city": "A city with this name already exists in this country.",
    "township": "A township with this name already exists in this city.",
    "district": "A district with this name already exists in this township.",
}
DUPLICATE_CODE_MESSAGE = "A country with this code already exists."
DUPLICATE_MAPPING_MESSAGE = "This code is already mapped to a {kind} of this integration type."
MOVE_WITH_CHILDREN_MESSAGES = {
    "city": "A city with townships cannot move to another country.",
    "township": "A township with districts cannot move to another city.",
}
MAPPING_OF_ANOTHER_LOCATION_MESSAGE = "This mapping belongs to another location."


class LocationError(ValidationError):
    """A write LocationService refuses; `message_dict` names the field."""

    def __init__(self, field: str, message: str, code: str):
        super().__init__({field: [ValidationError(message, code=code)]})
