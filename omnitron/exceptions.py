"""The one place where domain exceptions become the documented HTTP bodies."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, NotFound, ParseError, ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from customers.exceptions import (
    ChannelChangeNotAllowed,
    CustomerDeletionNotAllowed,
    CustomerDuplicatedFieldException,
)


class RequestBodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        super().__init__(f"Request body is larger than the {limit} bytes this service accepts.")


def _raised_by_a_parser(exc: BaseException) -> bool:
    """Whether `exc` came out of DRF's request body parsers (reading `request.data`)."""
    traceback = exc.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == parsers.__file__:
            return True
        traceback = traceback.tb_next
    return False


def exception_handler(exc, context):
    if isinstance(exc, RecursionError) and _raised_by_a_parser(exc):
        # JSON nested thousands deep exhausts the decoder's stack: a bad body, not a crash.
        exc = ParseError("JSON parse error - nested too deeply.")
    if isinstance(exc, RequestDataTooBig):
        # Django raises it when the body is read (`request.body`, `request.POST`):
        # under DRF, when a parser asks for `request.data`.
        exc = RequestBodyTooLarge()
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


# Errors Django answers before a DRF view runs (no URL matched, a request it
# refuses to parse, an unhandled exception): under /api/ they are JSON, like
# every other answer of the API, and not Django's HTML pages.
API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "Bad request."}, status=status.HTTP_400_BAD_REQUEST)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if _is_api(request):
        return JsonResponse(
            {"detail": "You do not have permission to perform this action."},
            status=status.HTTP_403_FORBIDDEN,
        )
    return defaults.permission_denied(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse(
            {"detail": "A server error occurred."}, status=status.HTTP_500_INTERNAL_SERVER_ERROR
        )
    return defaults.server_error(request)
