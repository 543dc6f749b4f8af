from rest_framework import viewsets

from audit.filters import AuditEventFilterSet
from audit.permissions import AuditEventPermissions
from audit.selectors import audit_events
from audit.serializers import AuditEventSerializer


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail: every recorded change, newest first, filterable; read-only.

    Needs `audit.view_auditevent`. One customer's history is also at
    /customers/{pk}/audit_events/.
    """

    queryset = audit_events()
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilterSet
    permission_classes = [AuditEventPermissions]
