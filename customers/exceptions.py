"""Errors the customer service raises, with their documented codes and texts."""

from django.http import Http404
from rest_framework import status

from omnitron.errors import ServiceError

DUPLICATED_CHANNEL_CODE_MESSAGE = "The fields channel, channel_code must make a unique set."
CHANNEL_CHANGE_MESSAGE = "channel:channel_name These field cannot be updated"
CHANNEL_CHANGE_ERROR_CODE = "customer_100_3"
CUSTOMER_HAS_ORDERS_MESSAGE = "A customer with orders cannot be deleted."
NOT_FOUND_MESSAGE = "Not found."


class CustomerServiceError(ServiceError):
    """A refusal of CustomerService."""


class CustomerDuplicatedFieldException(CustomerServiceError):
    """Another customer of the channel already has this channel_code."""

    message = DUPLICATED_CHANNEL_CODE_MESSAGE
    error_code = "unique"


class ChannelChangeNotAllowed(CustomerServiceError):
    """A customer's channel is fixed once created: a 406 with its documented body."""

    status_code = status.HTTP_406_NOT_ACCEPTABLE
    message = CHANNEL_CHANGE_MESSAGE
    error_code = CHANNEL_CHANGE_ERROR_CODE

    def body(self) -> dict:
        # The documents give this one message as a string, not a list, beside its code.
        return {"non_field_errors": self.message, "error_code": self.error_code}


class CustomerDeletionNotAllowed(CustomerServiceError):
    """The customer has orders; deleting it would orphan them."""

    message = CUSTOMER_HAS_ORDERS_MESSAGE
    error_code = "customer_has_orders"


class CustomerNotFound(CustomerServiceError, Http404):
    """The customer is gone: another request deleted it since the caller read it.

    An Http404, so the API and the admin answer it as any unknown customer.
    """

    status_code = status.HTTP_404_NOT_FOUND
    message = NOT_FOUND_MESSAGE
    error_code = "not_found"

    def body(self) -> dict:
        return {"detail": self.message}
