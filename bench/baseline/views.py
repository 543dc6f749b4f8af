"""Plain DRF, no tuning: what the benchmark compares the service with.

Deliberately naive where a first version usually is: the detailed list nests
the channel without select_related and sums each customer's orders with one
aggregate query per row; `attributes__<key>` is a JSON key lookup (no GIN
containment); the count is an exact COUNT(*).
"""

import re

from django.db.models import Count, Sum
from django.utils import timezone
from django_filters import rest_framework as filters
from rest_framework import exceptions, serializers, viewsets
from rest_framework.authentication import TokenAuthentication
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer

from apitokens.models import Token, digest_of
from channels.models import Channel
from customers.models import Customer
from omnitron.permissions import ModelPermissions

ATTRIBUTE_PARAM = re.compile(r"attributes__(\w{1,64})", re.ASCII)


class BaselineChannelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Channel
        fields = "__all__"


class BaselineCustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = "__all__"


class BaselineCustomerDetailedSerializer(BaselineCustomerSerializer):
    channel = BaselineChannelSerializer(read_only=True)
    orders_info = serializers.SerializerMethodField()

    def get_orders_info(self, customer: Customer) -> dict:
        return customer.orders.aggregate(
            total_order_amount=Sum("amount"),
            total_refund_amount=Sum("refund_amount"),
            total_discount_amount=Sum("discount_amount"),
            total_order_count=Count("pk"),
        )


class BaselineCustomerFilterSet(filters.FilterSet):
    class Meta:
        model = Customer
        fields = {
            "id": ["exact", "gt", "gte", "lt", "lte"],
            "email": ["exact", "startswith"],
            "channel": ["exact"],
            "is_active": ["exact"],
            "created_date": ["exact", "gt", "gte", "lt", "lte"],
            "modified_date": ["exact", "gt", "gte", "lt", "lte"],
        }

    def filter_queryset(self, queryset):
        """The declared filters, then `attributes__<key>=value` as a JSON key lookup."""
        queryset = super().filter_queryset(queryset)
        for param, value in self.data.items():
            match = ATTRIBUTE_PARAM.fullmatch(param)
            if match:
                queryset = queryset.filter(**{f"attributes__{match[1]}": value})
        return queryset


class BaselineTokenAuthentication(TokenAuthentication):
    """DRF's token authentication as DRF writes it, over the service's digest-keyed tokens.

    The token and its user in one query (select_related), the permissions
    left to ModelBackend's own queries.
    """

    model = Token

    def authenticate_credentials(self, key):
        try:
            token = Token.objects.select_related("user").get(digest=digest_of(key))
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        if not token.is_usable(timezone.now()) or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid token.")
        return token.user, token


class BaselineCustomerViewSet(viewsets.ModelViewSet):
    # DRF's own token authentication and the model permissions a user would
    # write (the project's permission class is exactly that), and DRF's JSON
    # renderer, never the project's tuned classes: the baseline pays what
    # plain DRF pays.
    authentication_classes = [BaselineTokenAuthentication]
    permission_classes = [ModelPermissions]
    renderer_classes = [JSONRenderer]
    queryset = Customer.objects.all()
    serializer_class = BaselineCustomerSerializer
    pagination_class = PageNumberPagination
    filter_backends = [filters.DjangoFilterBackend, OrderingFilter]
    filterset_class = BaselineCustomerFilterSet
    ordering_fields = ["id", "created_date", "modified_date", "email"]

    def get_serializer_class(self):
        if self.action == "detailed":
            return BaselineCustomerDetailedSerializer
        return super().get_serializer_class()

    @action(detail=False, methods=["get"])
    def detailed(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)
