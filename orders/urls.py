from omnitron.routers import KeyRouter
from orders.views import OrderViewSet

router = KeyRouter()
router.register("orders", OrderViewSet, basename="order")

urlpatterns = router.urls
