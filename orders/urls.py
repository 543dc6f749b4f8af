from omnitron.routers import KEY_PATTERN, KeyRouter
from orders.views import ChannelOrderViewSet, CreateOrdersViewSet, OrderViewSet

router = KeyRouter()
router.register("orders", OrderViewSet, basename="order")
router.register(
    f"channel/(?P<channel_id>{KEY_PATTERN})/orders", ChannelOrderViewSet, basename="channel-order"
)
router.register(
    f"channel/(?P<channel_id>{KEY_PATTERN})/create_orders",
    CreateOrdersViewSet,
    basename="channel-create-orders",
)

urlpatterns = router.urls
