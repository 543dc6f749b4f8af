from audit.views import AuditEventViewSet
from omnitron.routers import KeyRouter

router = KeyRouter()
router.register("audit_events", AuditEventViewSet, basename="audit-event")

urlpatterns = router.urls
