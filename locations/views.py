"""The location lists: staff write them, integrations read them (also per sales channel)."""

from rest_framework import viewsets
from rest_framework.metadata import SimpleMetadata

from audit.context import audit_context_for_request
from channels.views import ChannelOfURLMixin
from locations.filters import (
    CityFilterSet,
    CountryFilterSet,
    DistrictFilterSet,
    TownshipFilterSet,
)
from locations.models import City, Country, District, Township
from locations.serializers import (
    CitySerializer,
    CountrySerializer,
    DistrictSerializer,
    TownshipSerializer,
)
from locations.services import LocationService
from omnitron.metadata import describe_filters

# Path ids are ASCII digits: `\d` would match other scripts' digits too.
ID_PATTERN = "[0-9]+"


class LocationListMetadata(SimpleMetadata):
    """DRF's OPTIONS answer, and for a list its filters (each one's type and lookups)."""

    def determine_metadata(self, request, view):
        metadata = super().determine_metadata(request, view)
        if getattr(view, "detail", False) is False and view.filterset_class is not None:
            metadata["filters"] = describe_filters(view.filterset_class)
        return metadata


class LocationViewSet(viewsets.ModelViewSet):
    """A location level: list, create, retrieve, update, delete.

    Writes go through LocationService with the request's audit context; a
    location with children (a country with cities) cannot be deleted (400).
    """

    lookup_value_regex = ID_PATTERN
    metadata_class = LocationListMetadata

    @property
    def audit_context(self):
        return audit_context_for_request(self.request)

    def perform_create(self, serializer):
        serializer.instance = LocationService.create_location(
            self.queryset.model, audit_context=self.audit_context, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = LocationService.update_location(
            serializer.instance, audit_context=self.audit_context, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        LocationService.delete_location(instance, audit_context=self.audit_context)


class CountryViewSet(LocationViewSet):
    """Countries, by ISO 3166-1 alpha-2 code."""

    queryset = Country.objects.all()
    serializer_class = CountrySerializer
    filterset_class = CountryFilterSet


class CityViewSet(LocationViewSet):
    """Cities of countries."""

    queryset = City.objects.all()
    serializer_class = CitySerializer
    filterset_class = CityFilterSet


class TownshipViewSet(LocationViewSet):
    """Townships of cities. On writes `country` may be left out: it is the city's."""

    queryset = Township.objects.all()
    serializer_class = TownshipSerializer
    filterset_class = TownshipFilterSet


class DistrictViewSet(LocationViewSet):
    """Districts of townships, with postcodes. On writes `city` and `country` may be left out."""

    queryset = District.objects.all()
    serializer_class = DistrictSerializer
    filterset_class = DistrictFilterSet


class ChannelLocationViewSet(ChannelOfURLMixin, viewsets.ReadOnlyModelViewSet):
    """A location list as a sales channel's integration reads it: the channel must exist.

    The rows are those of the plain route; an integration finds its own codes
    with `mapping__code__exact={channel_id}_{code}`.
    """

    lookup_value_regex = ID_PATTERN
    metadata_class = LocationListMetadata

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.get_channel()


class ChannelCountryViewSet(ChannelLocationViewSet):
    """Countries, as a sales channel's integration reads them."""

    queryset = CountryViewSet.queryset
    serializer_class = CountrySerializer
    filterset_class = CountryFilterSet


class ChannelCityViewSet(ChannelLocationViewSet):
    """Cities, as a sales channel's integration reads them."""

    queryset = CityViewSet.queryset
    serializer_class = CitySerializer
    filterset_class = CityFilterSet


class ChannelTownshipViewSet(ChannelLocationViewSet):
    """Townships, as a sales channel's integration reads them."""

    queryset = TownshipViewSet.queryset
    serializer_class = TownshipSerializer
    filterset_class = TownshipFilterSet


class ChannelDistrictViewSet(ChannelLocationViewSet):
    """Districts, as a sales channel's integration reads them."""

    queryset = DistrictViewSet.queryset
    serializer_class = DistrictSerializer
    filterset_class = DistrictFilterSet
