from rest_framework.routers import SimpleRouter

from bench.baseline.views import BaselineCustomerViewSet

router = SimpleRouter()
router.register("customers", BaselineCustomerViewSet, basename="baseline-customer")

urlpatterns = router.urls
