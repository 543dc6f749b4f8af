"""Serializers of the location levels: they validate and present; LocationService writes."""

from locations.models import City, Country, District, Township
from omnitron.serializers import JSONObjectModelSerializer


class CountrySerializer(JSONObjectModelSerializer):
    class Meta:
        model = Country
        fields = ["pk", "name", "code", "is_active"]
        read_only_fields = ["pk"]
        # The service validates the code (case-normalised first) and the
        # unique constraint decides duplicates at write time (no racy pre-check).
        extra_kwargs = {"code": {"validators": []}}
        validators: list = []


class CitySerializer(JSONObjectModelSerializer):
    class Meta:
        model = City
        fields = ["pk", "name", "country", "is_active"]
        read_only_fields = ["pk"]
        validators: list = []


# Parents above the nearest may be left out of a write: they follow the nearest one.
FOLLOWS_THE_NEAREST = {
    "required": False,
    "help_text": "May be left out: it follows the nearest parent given.",
}


class TownshipSerializer(JSONObjectModelSerializer):
    class Meta:
        model = Township
        fields = ["pk", "name", "country", "city", "is_active"]
        read_only_fields = ["pk"]
        extra_kwargs = {"country": FOLLOWS_THE_NEAREST}
        validators: list = []


class DistrictSerializer(JSONObjectModelSerializer):
    class Meta:
        model = District
        fields = ["pk", "name", "country", "city", "township", "postcode", "is_active"]
        read_only_fields = ["pk"]
        extra_kwargs = {"country": FOLLOWS_THE_NEAREST, "city": FOLLOWS_THE_NEAREST}
        validators: list = []
