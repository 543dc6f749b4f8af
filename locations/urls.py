from rest_framework.routers import SimpleRouter

from locations.views import (
    ChannelCityViewSet,
    ChannelCountryViewSet,
    ChannelDistrictViewSet,
    ChannelTownshipViewSet,
    CityViewSet,
    CountryViewSet,
    DistrictViewSet,
    TownshipViewSet,
)

# `[0-9]`, not `\d`: a URL with another script's digits is no channel.
CHANNEL = r"channel/(?P<channel_id>[0-9]+)"

router = SimpleRouter()
router.register("countries", CountryViewSet, basename="country")
router.register("cities", CityViewSet, basename="city")
router.register("townships", TownshipViewSet, basename="township")
router.register("districts", DistrictViewSet, basename="district")
router.register(f"{CHANNEL}/countries", ChannelCountryViewSet, basename="channel-country")
router.register(f"{CHANNEL}/cities", ChannelCityViewSet, basename="channel-city")
router.register(f"{CHANNEL}/townships", ChannelTownshipViewSet, basename="channel-township")
router.register(f"{CHANNEL}/districts", ChannelDistrictViewSet, basename="channel-district")

urlpatterns = router.urls
