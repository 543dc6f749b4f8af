"""Errors AddressService raises, with their documented codes and texts."""

from django.core.exceptions import ValidationError

from locations.exceptions import NOT_IN_PARENT_MESSAGES
from omnitron.errors import ServiceError

DUPLICATED_ADDRESS_ERROR_CODE = "address_duplicated"
# The body begins `hash_data:<digest> `: integrations read the digest from it
# and find the existing address with `?hash_data=<digest>`.
DUPLICATED_ADDRESS_MESSAGE = (
    "hash_data:{digest} The customer already has this address: "
    "GET addresses/?hash_data={digest} finds it."
)
ADDRESS_NOT_IN_PARENT_MESSAGES = {
    **NOT_IN_PARENT_MESSAGES,
    "district": "This district is not in the given township.",
}
INACTIVE_LOCATION_MESSAGE = "This {kind} is not active."
CUSTOMER_CHANGE_MESSAGE = "An address cannot move to another customer."


class AddressDuplicated(ServiceError):
    """The customer already has an address with this digest (create, or an update's new content).

    Answered as a 400 `{"non_field_errors": ["hash_data:<digest> ..."], "error_code": ...}`.
    """

    error_code = DUPLICATED_ADDRESS_ERROR_CODE

    def __init__(self, digest: str):
        self.digest = digest
        super().__init__(DUPLICATED_ADDRESS_MESSAGE.format(digest=digest))

    def body(self) -> dict:
        return {"non_field_errors": [self.message], "error_code": self.error_code}


class AddressFieldError(ValidationError):
    """A write AddressService refuses for the value of fields: a 400 naming each field.

    `errors` is {field: message}; an admin form shows each beside its field.
    """

    def __init__(self, errors: dict[str, str], code: str = "invalid"):
        super().__init__(
            {field: [ValidationError(message, code=code)] for field, message in errors.items()}
        )
