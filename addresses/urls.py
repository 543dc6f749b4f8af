from rest_framework.routers import SimpleRouter

from addresses.views import AddressViewSet, ChannelAddressViewSet

router = SimpleRouter()
router.register("addresses", AddressViewSet, basename="address")
# `[0-9]`, not `\d`: a URL with another script's digits is no channel.
router.register(
    r"channel/(?P<channel_id>[0-9]+)/addresses", ChannelAddressViewSet, basename="channel-address"
)

urlpatterns = router.urls
