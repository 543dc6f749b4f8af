"""Location references: countries, their cities, townships and districts.

Each level points at every level above it (a district at its township, city
and country), so a list filters by any of them without a join; LocationService
keeps the chain consistent. `name_folded` is the name as `turkish_fold` makes
it, written by the service, behind `name__iexact` and the uniqueness of a
name within its parent.
"""

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models

NAME_LENGTH = 255
# Case folding can make one character three ("ΐ"), so the folded name may be longer.
FOLDED_NAME_LENGTH = 3 * NAME_LENGTH
POSTCODE_LENGTH = 64
MAPPING_CODE_LENGTH = 128
INTEGRATION_TYPE_LENGTH = 64
SALES_CHANNEL_INTEGRATION = "sales_channel"


def sales_channel_code(channel_id: int, code: str) -> str:
    """The mapping code of a place in a sales channel: `{channel_id}_{its code}`."""
    return f"{channel_id}_{code}"


class LocationMapping(models.Model):
    """The code an integrated system (a sales channel, an ERP) uses for a location.

    A sales channel's code is `sales_channel_code(channel_id, code)`, of
    integration type `sales_channel`. A code names one place of a kind within
    its integration type. Written through LocationService.
    """

    # Indexed through the composite indexes below, which start with it.
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, db_index=False)
    object_id = models.BigIntegerField()
    integration_type = models.CharField(max_length=INTEGRATION_TYPE_LENGTH)
    code = models.CharField(max_length=MAPPING_CODE_LENGTH)
    location = GenericForeignKey("content_type", "object_id")

    class Meta:
        ordering = ["id"]
        constraints = [
            # Code before type: the index also serves `mapping__code__exact` alone.
            models.UniqueConstraint(
                fields=["content_type", "code", "integration_type"],
                name="location_mapping_unique_code",
            ),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="location_mapping_object_idx"),
            models.Index(
                fields=["content_type", "integration_type", "object_id"],
                name="location_mapping_type_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.integration_type}:{self.code}"


class Location(models.Model):
    """What every level has: a name (and its folded form), a flag, integration mappings.

    `is_active` is not indexed: a flag most rows share, which no plan would
    read through an index.
    """

    name = models.CharField(max_length=NAME_LENGTH)
    name_folded = models.CharField(max_length=FOLDED_NAME_LENGTH, editable=False)
    is_active = models.BooleanField(default=True)
    # Deleting a location deletes its mappings with it.
    mappings = GenericRelation(LocationMapping)

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Country(Location):
    code = models.CharField(
        max_length=2,
        validators=[RegexValidator(r"^[A-Z]{2}\Z", "Enter two letters (ISO 3166-1 alpha-2).")],
        help_text="ISO 3166-1 alpha-2 code, e.g. TR.",
    )

    class Meta(Location.Meta):
        verbose_name_plural = "countries"
        constraints = [models.UniqueConstraint(fields=["code"], name="country_unique_code")]
        indexes = [
            models.Index(fields=["name"], name="country_name_idx"),
            models.Index(fields=["name_folded"], name="country_name_folded_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class City(Location):
    # Indexed by the unique constraint, which starts with it.
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="cities", db_index=False
    )

    class Meta(Location.Meta):
        verbose_name_plural = "cities"
        constraints = [
            models.UniqueConstraint(
                fields=["country", "name_folded"], name="city_unique_name_in_country"
            ),
        ]
        indexes = [
            models.Index(fields=["name"], name="city_name_idx"),
            models.Index(fields=["name_folded"], name="city_name_folded_idx"),
        ]


class Township(Location):
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="townships")
    # Indexed by the unique constraint, which starts with it.
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="townships", db_index=False
    )

    class Meta(Location.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["city", "name_folded"], name="township_unique_name_in_city"
            ),
        ]
        indexes = [
            models.Index(fields=["name"], name="township_name_idx"),
            models.Index(fields=["name_folded"], name="township_name_folded_idx"),
        ]


class District(Location):
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="districts")
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="districts")
    # Indexed by the unique constraint, which starts with it.
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="districts", db_index=False
    )
    postcode = models.CharField(max_length=POSTCODE_LENGTH, null=True, blank=True)

    class Meta(Location.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["township", "name_folded"], name="district_unique_name_in_township"
            ),
        ]
        indexes = [
            models.Index(fields=["name"], name="district_name_idx"),
            models.Index(fields=["name_folded"], name="district_name_folded_idx"),
            models.Index(fields=["postcode"], name="district_postcode_idx"),
        ]


LOCATION_MODELS: tuple[type[Location], ...] = (Country, City, Township, District)
