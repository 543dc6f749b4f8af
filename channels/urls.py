from channels.views import ChannelViewSet
from omnitron.routers import KeyRouter

router = KeyRouter()
router.register("channels", ChannelViewSet, basename="channel")

urlpatterns = router.urls
