from django.urls import include, path
from rest_framework.routers import SimpleRouter

from customers.views import ChannelCustomerViewSet, CustomerViewSet

router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register(
    r"channel/(?P<channel_id>\d+)/customers", ChannelCustomerViewSet, basename="channel-customer"
)

urlpatterns = [*router.urls, path("", include("customers.oms.urls"))]
