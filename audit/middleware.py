from audit.context import (
    AuditContext,
    request_id_from_header,
    reset_current_audit_context,
    set_current_audit_context,
)
from audit.models import Source


class AuditContextMiddleware:
    """Attach an AuditContext to each request and echo its id in X-Request-ID.

    The actor is filled in later, by the view, once DRF has authenticated the
    token (Django's auth middleware only knows session users).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        source = Source.ADMIN if request.path.startswith("/admin/") else Source.API
        context = AuditContext(
            source=source,
            request_id=request_id_from_header(request.headers.get("X-Request-ID")),
            remote_addr=request.META.get("REMOTE_ADDR") or None,
        )
        request.audit_context = context
        token = set_current_audit_context(context)
        try:
            response = self.get_response(request)
        finally:
            reset_current_audit_context(token)
        response["X-Request-ID"] = context.request_id
        return response
