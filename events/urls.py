from rest_framework.routers import SimpleRouter

from events.views import EventViewSet, WebhookSubscriptionViewSet

router = SimpleRouter()
router.register("events", EventViewSet, basename="event")
router.register("webhooks", WebhookSubscriptionViewSet, basename="webhook")

urlpatterns = router.urls
