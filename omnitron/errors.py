"""The base of the errors services raise for the API to answer with a documented body.

An app's domain errors extend ServiceError with their status, code and
message; the exception handler (omnitron.exceptions) answers any of them
with `body()` and `status_code`, knowing no app.
"""

from rest_framework import status


class ServiceError(Exception):
    """A refusal of a service: by default a 400 with the message as `non_field_errors`."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    error_code: str = ""
    message: str = ""

    def __init__(self, message: str | None = None):
        if message is not None:
            self.message = message
        super().__init__(self.message)

    def body(self) -> dict:
        """The response body: DRF's shape for an error of the whole object."""
        return {"non_field_errors": [self.message]}
