from omnitron.routers import KEY_PATTERN, KeyRouter
from privacy.views import (
    ConsentChangeViewSet,
    CustomerConsentChangeViewSet,
    CustomerPrivacyViewSet,
)

router = KeyRouter()
router.register("consents", ConsentChangeViewSet, basename="consent")
router.register("customers", CustomerPrivacyViewSet, basename="customer-privacy")
router.register(
    f"customers/(?P<customer_pk>{KEY_PATTERN})/consents",
    CustomerConsentChangeViewSet,
    basename="customer-consent",
)

urlpatterns = router.urls
