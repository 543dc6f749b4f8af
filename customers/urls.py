from django.urls import include, path

from customers.views import ChannelCustomerViewSet, CustomerViewSet
from omnitron.routers import KEY_PATTERN, KeyRouter

router = KeyRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register(
    f"channel/(?P<channel_id>{KEY_PATTERN})/customers",
    ChannelCustomerViewSet,
    basename="channel-customer",
)

urlpatterns = [*router.urls, path("", include("customers.oms.urls"))]
