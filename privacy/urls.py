from omnitron.routers import KeyRouter
from privacy.views import ConsentChangeViewSet, CustomerPrivacyViewSet

router = KeyRouter()
router.register("consents", ConsentChangeViewSet, basename="consent")
router.register("customers", CustomerPrivacyViewSet, basename="customer-privacy")

urlpatterns = router.urls
