"""The one place where errors become the documented HTTP bodies.

A service's refusal (any omnitron.errors.ServiceError) answers its own
status and body; Django's errors answer as DRF's do.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from omnitron.errors import ServiceError


class RequestBodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        super().__init__(f"Request body is larger than the {limit} bytes this service accepts.")


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        set_rollback()
        return Response(exc.body(), status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        # Django raises it when the body is read (`request.body`, `request.POST`):
        # under DRF, when a parser asks for `request.data`.
        exc = RequestBodyTooLarge()
    if isinstance(exc, ProtectedError):
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
