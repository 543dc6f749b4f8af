"""The one place where domain exceptions become the documented HTTP bodies."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import Http404
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from customers.exceptions import (
    ChannelChangeNotAllowed,
    CustomerDeletionNotAllowed,
    CustomerDuplicatedFieldException,
)


def exception_handler(exc, context):
    if isinstance(exc, ChannelChangeNotAllowed):
        return Response(
            {"non_field_errors": exc.message, "error_code": exc.error_code},
            status=status.HTTP_406_NOT_ACCEPTABLE,
        )
    if isinstance(exc, CustomerDuplicatedFieldException | CustomerDeletionNotAllowed):
        exc = ValidationError({"non_field_errors": [exc.message]}, code=exc.error_code)
    elif isinstance(exc, ProtectedError):
        exc = ValidationError(
            {"non_field_errors": ["This object is still referenced and cannot be deleted."]},
            code="protected",
        )
    elif isinstance(exc, Http404):
        # The documented body is DRF's plain {"detail": "Not found."}, not the model's name.
        exc = NotFound()
    elif isinstance(exc, DjangoValidationError):
        exc = ValidationError(as_serializer_error(exc))
    return drf_exception_handler(exc, context)
