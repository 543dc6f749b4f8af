"""Who is acting, and through what, for the audit records of a change."""

import dataclasses
import re
import uuid
from contextvars import ContextVar

from audit.models import Source

REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclasses.dataclass(frozen=True)
class AuditContext:
    source: str = Source.SHELL
    actor: object | None = None  # a user, or None for the system
    request_id: str = dataclasses.field(default_factory=lambda: uuid.uuid4().hex)
    remote_addr: str | None = None

    @property
    def actor_id(self) -> int | None:
        return getattr(self.actor, "pk", None)

    @property
    def actor_repr(self) -> str:
        return self.actor.get_username() if self.actor_id is not None else ""

    def with_actor(self, actor) -> "AuditContext":
        return dataclasses.replace(self, actor=actor if getattr(actor, "pk", None) else None)


_current: ContextVar[AuditContext | None] = ContextVar("audit_context", default=None)


def current_audit_context() -> AuditContext | None:
    """The context middleware set for the request being served, if any."""
    return _current.get()


def set_current_audit_context(context: AuditContext | None):
    return _current.set(context)


def reset_current_audit_context(token) -> None:
    _current.reset(token)


def request_id_from_header(value: str | None) -> str:
    """The caller's X-Request-ID when it is a safe token, else a fresh one."""
    if value and REQUEST_ID_PATTERN.match(value):
        return value
    return uuid.uuid4().hex


def audit_context_for_request(request) -> AuditContext:
    """The request's context (set by the middleware) with the authenticated user as actor."""
    context = getattr(request, "audit_context", None) or AuditContext(
        source=Source.API, remote_addr=request.META.get("REMOTE_ADDR") or None
    )
    return context.with_actor(request.user)
