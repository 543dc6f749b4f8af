from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError

from audit.context import audit_context_for_request
from audit.permissions import AuditEventPermissions
from audit.selectors import audit_events_of
from audit.serializers import AuditEventSerializer
from channels.views import ChannelOfURLMixin
from customers.exceptions import CHANNEL_CHANGE_ERROR_CODE
from customers.filters import KEYS_FIRST_FILTERS, SAFE_JSON_KEY, CustomerFilterSet
from customers.models import Customer
from customers.selectors import customers_in_channel, customers_with_order_totals
from customers.serializers import (
    ChannelCustomerSerializer,
    CustomerDetailedSerializer,
    CustomerSerializer,
)
from customers.services import CustomerService
from idempotency.views import IdempotencyKeyMixin
from omnitron.conditional import ConditionalRequestsMixin
from omnitron.permissions import ModelPermissions
from omnitron.schema import not_acceptable_or

JSON_KEY_PARAMETERS = [
    OpenApiParameter(
        f"{field}__some_key",
        OpenApiTypes.STR,
        description=(
            f"Customers whose `{field}` object has the key equal to the value: replace "
            f"`some_key` with the key (pattern `{SAFE_JSON_KEY.pattern}`). The value matches "
            "the string, or the JSON number, boolean or null it spells."
        ),
    )
    for field in ("attributes", "extra_field")
]
CHANNEL_CHANGE = OpenApiResponse(
    response=inline_serializer(
        "ChannelChangeError",
        {"non_field_errors": serializers.CharField(), "error_code": serializers.CharField()},
    ),
    description=(
        f"The customer's channel cannot be changed (`error_code` {CHANNEL_CHANGE_ERROR_CODE})."
    ),
)
UPDATE_RESPONSES = {
    200: CustomerSerializer,
    406: not_acceptable_or("NotAcceptableError", CHANNEL_CHANGE),
}
UPDATE_SCHEMA = extend_schema(responses=UPDATE_RESPONSES)


@extend_schema_view(
    list=extend_schema(parameters=JSON_KEY_PARAMETERS),
    update=UPDATE_SCHEMA,
    partial_update=UPDATE_SCHEMA,
    detailed_list=extend_schema(
        parameters=JSON_KEY_PARAMETERS,
        responses=CustomerDetailedSerializer(many=True),
    ),
)
class CustomerViewSet(IdempotencyKeyMixin, ConditionalRequestsMixin, viewsets.ModelViewSet):
    """Customers: list, create, retrieve, update, delete, and the detailed views.

    Writes go through CustomerService with the request's audit context.
    """

    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilterSet
    detailed_actions = frozenset({"detailed", "detailed_list"})

    def get_queryset(self):
        customers = self.customers()
        if self.action in self.detailed_actions:
            return customers_with_order_totals(customers)
        return customers

    def customers(self) -> QuerySet[Customer]:
        """The customers this view serves; the detailed views add their order totals."""
        return super().get_queryset()

    def get_serializer_class(self):
        if self.action in self.detailed_actions:
            return CustomerDetailedSerializer
        return super().get_serializer_class()

    def page_rows_from(self):
        """The unfiltered customers a list page is read from keys first, or None.

        Only with a filter whose index holds the id (KEYS_FIRST_FILTERS): for the
        others, reading the keys first would cost a second plan and gain nothing.
        """
        if self.action in ("list", "detailed_list") and (
            KEYS_FIRST_FILTERS & self.request.query_params.keys()
        ):
            return self.get_queryset()
        return None

    @property
    def audit_context(self):
        return audit_context_for_request(self.request)

    def perform_create(self, serializer):
        fields = dict(serializer.validated_data)
        serializer.instance = CustomerService.create_customer(
            channel=fields.pop("channel"),
            channel_code=fields.pop("channel_code"),
            audit_context=self.audit_context,
            **fields,
        )

    def perform_update(self, serializer):
        serializer.instance = CustomerService.update_customer(
            customer=serializer.instance,
            audit_context=self.audit_context,
            if_match=self.if_match_tags,
            **serializer.validated_data,
        )

    def perform_destroy(self, instance):
        CustomerService.delete_customer(
            customer=instance, audit_context=self.audit_context, if_match=self.if_match_tags
        )

    @action(detail=False, methods=["get"], url_path="detailed", url_name="detailed-list")
    def detailed_list(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    @action(detail=True, methods=["get"], url_path="detailed", url_name="detailed")
    def detailed(self, request, *args, **kwargs):
        return self.retrieve(request, *args, **kwargs)

    @extend_schema(responses=AuditEventSerializer(many=True))
    @action(
        detail=True,
        methods=["get"],
        url_path="audit_events",
        url_name="audit-events",
        # The customer is looked up unfiltered: the list's filters are not for it.
        filter_backends=[],
        permission_classes=[AuditEventPermissions, ModelPermissions],
    )
    def audit_events(self, request, *args, **kwargs):
        """The customer's audit history, newest first (`view_customer` and `audit.view_auditevent`).

        The history of a deleted customer is at /audit_events/?customer={pk}.
        """
        customer = self.get_object()
        page = self.paginate_queryset(audit_events_of(Customer, customer.pk))
        return self.get_paginated_response(AuditEventSerializer(page, many=True).data)


CHANNEL_CREATE_SCHEMA = extend_schema(
    request=ChannelCustomerSerializer, responses=CustomerSerializer
)
CHANNEL_UPDATE_SCHEMA = extend_schema(request=ChannelCustomerSerializer, responses=UPDATE_RESPONSES)


@extend_schema_view(
    create=CHANNEL_CREATE_SCHEMA,
    update=CHANNEL_UPDATE_SCHEMA,
    partial_update=CHANNEL_UPDATE_SCHEMA,
)
class ChannelCustomerViewSet(ChannelOfURLMixin, CustomerViewSet):
    """The sales-channel integration view: the customers of one channel.

    A customer of another channel is a 404 here. On writes `channel` may be
    left out: it is the channel of the URL.
    """

    write_actions = frozenset({"create", "update", "partial_update"})

    def customers(self) -> QuerySet[Customer]:
        return customers_in_channel(self.get_channel().pk)

    def get_serializer_class(self):
        if self.action in self.write_actions:
            return ChannelCustomerSerializer
        return super().get_serializer_class()

    def get_serializer(self, *args, **kwargs):
        data = kwargs.get("data")
        if isinstance(data, dict):
            kwargs["data"] = self.with_url_channel(data)
        return super().get_serializer(*args, **kwargs)

    def with_url_channel(self, data: dict) -> dict:
        channel = self.get_channel()
        data = data.copy()
        if "channel" not in data:
            data["channel"] = channel.pk
        elif self.action == "create" and str(data["channel"]) != str(channel.pk):
            raise ValidationError({"channel": [f"Must be {channel.pk}, the channel of this URL."]})
        return data
