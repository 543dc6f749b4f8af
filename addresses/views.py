"""The address routes: every address, and a sales channel's customers' addresses."""

from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, viewsets

from addresses.exceptions import DUPLICATED_ADDRESS_ERROR_CODE
from addresses.filters import AddressFilterSet
from addresses.models import Address
from addresses.serializers import AddressSerializer
from addresses.services import AddressService
from audit.context import audit_context_for_request
from channels.views import ChannelOfURLMixin
from customers.selectors import customers_in_channel
from idempotency.views import IdempotencyKeyMixin
from locations.views import ID_PATTERN, LocationListMetadata
from omnitron.conditional import ConditionalRequestsMixin

DUPLICATE_OR_FIELD_ERRORS = OpenApiResponse(
    inline_serializer(
        "AddressErrors",
        {
            "non_field_errors": serializers.ListField(
                child=serializers.CharField(), required=False
            ),
            "error_code": serializers.CharField(required=False),
        },
    ),
    description=(
        "Invalid input: an object naming each bad field with a list of messages (a "
        "location outside its parent names the lower field). An address the customer "
        "already has: `non_field_errors` is one string beginning `hash_data:<digest> `, "
        f"`error_code` is `{DUPLICATED_ADDRESS_ERROR_CODE}`; `?hash_data=<digest>` finds it."
    ),
)
WRITE_SCHEMA = extend_schema(responses={200: AddressSerializer, 400: DUPLICATE_OR_FIELD_ERRORS})


@extend_schema_view(
    create=extend_schema(responses={201: AddressSerializer, 400: DUPLICATE_OR_FIELD_ERRORS}),
    update=WRITE_SCHEMA,
    partial_update=WRITE_SCHEMA,
)
class AddressViewSet(IdempotencyKeyMixin, ConditionalRequestsMixin, viewsets.ModelViewSet):
    """Customers' addresses: list, create, retrieve, update, delete.

    Writes go through AddressService with the request's audit context. An
    address stays with its customer.
    """

    queryset = Address.objects.all()
    serializer_class = AddressSerializer
    filterset_class = AddressFilterSet
    lookup_value_regex = ID_PATTERN
    metadata_class = LocationListMetadata

    @property
    def audit_context(self):
        return audit_context_for_request(self.request)

    def perform_create(self, serializer):
        fields = dict(serializer.validated_data)
        serializer.instance = AddressService.create_address(
            customer=fields.pop("customer"),
            first_name=fields.pop("first_name"),
            last_name=fields.pop("last_name"),
            phone_number=fields.pop("phone_number"),
            country=fields.pop("country"),
            city=fields.pop("city"),
            line=fields.pop("line"),
            audit_context=self.audit_context,
            **fields,
        )

    def perform_update(self, serializer):
        serializer.instance = AddressService.update_address(
            address=serializer.instance,
            audit_context=self.audit_context,
            if_match=self.if_match_tags,
            **serializer.validated_data,
        )

    def perform_destroy(self, instance):
        AddressService.delete_address(
            address=instance, audit_context=self.audit_context, if_match=self.if_match_tags
        )


class ChannelAddressViewSet(ChannelOfURLMixin, AddressViewSet):
    """The addresses of one sales channel's customers.

    An address of another channel's customer is a 404 here; a write naming a
    customer of another channel is a 400 naming `customer`.
    """

    def get_queryset(self) -> QuerySet[Address]:
        return super().get_queryset().filter(customer__channel_id=self.get_channel().pk)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if "data" in kwargs:
            serializer.fields["customer"].queryset = customers_in_channel(self.get_channel().pk)
        return serializer
