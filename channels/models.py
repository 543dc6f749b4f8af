from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from omnitron.fields import JSONObjectField


class ChannelType(models.TextChoices):
    HEPSIBURADA = "hepsiburada", "Hepsiburada"
    HEPSIBURADADS = "hepsiburadads", "Hepsiburada DS"
    GITTIGIDIYOR = "gittigidiyor", "GittiGidiyor"
    N11 = "n11", "n11"
    WEB = "web", "Web"
    FEED = "feed", "Feed"
    TRENDYOL = "trendyol", "Trendyol"
    MORHIPO = "morhipo", "Morhipo"
    MORHIPO_V2 = "morhipoV2", "Morhipo V2"
    LIDYANA = "lidyana", "Lidyana"
    AMAZON = "amazon", "Amazon"
    ALLEGRO = "allegro", "Allegro"
    DISTRIBUTED = "distributed", "Distributed"
    ALIEXPRESS = "aliexpress", "AliExpress"
    EMAG = "emag", "eMAG"
    CICEKSEPETI = "ciceksepeti", "Çiçeksepeti"
    GORDUMALDIM = "gordumaldim", "Gördüm Aldım"
    PAZARAMA = "pazarama", "Pazarama"
    FLO = "flo", "FLO"
    TURKCELLDS = "turkcellds", "Turkcell DS"
    SALES_CHANNEL = "sales_channel", "Sales channel"


# How an order's customer is recognised within its channel (conf["CUSTOMER_IDENTIFIER_FIELD"]).
CUSTOMER_IDENTIFIER_SETTING = "CUSTOMER_IDENTIFIER_FIELD"
CUSTOMER_IDENTIFIER_FIELDS = ("channel_code", "email", "phone_number")
DEFAULT_CUSTOMER_IDENTIFIER = "channel_code"


def validate_channel_conf(conf) -> None:
    if not isinstance(conf, dict):
        return  # validate_json_object reports it.
    identifier = conf.get(CUSTOMER_IDENTIFIER_SETTING, DEFAULT_CUSTOMER_IDENTIFIER)
    if identifier not in CUSTOMER_IDENTIFIER_FIELDS:
        raise ValidationError(
            f"{CUSTOMER_IDENTIFIER_SETTING} must be one of: "
            f"{', '.join(CUSTOMER_IDENTIFIER_FIELDS)}.",
            code="invalid_customer_identifier",
        )


class Channel(models.Model):
    """A sales channel (marketplace or web shop) that customers come from."""

    name = models.CharField(max_length=255)
    # Bounded here, not only by PostgreSQL, so SQLite refuses the same values.
    catalog = models.IntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(2**31 - 1)],
        help_text="Catalog id of the channel.",
    )
    channel_type = models.CharField(max_length=32, choices=ChannelType.choices)
    conf = JSONObjectField(
        default=dict,
        blank=True,
        validators=[validate_channel_conf],
        help_text='Channel settings, e.g. {"CUSTOMER_IDENTIFIER_FIELD": "email"}.',
    )
    category_tree = models.CharField(max_length=255, null=True, blank=True)
    is_active = models.BooleanField(default=True)
    schema = JSONObjectField(null=True, blank=True)
    created_date = models.DateTimeField(auto_now_add=True)
    modified_date = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def customer_identifier_field(self) -> str:
        """The customer field that identifies an order's customer within this channel.

        `channel_code` unless conf names `email` or `phone_number`.
        """
        validate_channel_conf(self.conf)
        return self.conf.get(CUSTOMER_IDENTIFIER_SETTING, DEFAULT_CUSTOMER_IDENTIFIER)
