from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from audit.context import audit_context_for_request
from customers.models import Customer
from customers.serializers import CustomerSerializer
from customers.services import CustomerService
from idempotency.views import IdempotencyKeyMixin
from privacy.export import customer_export
from privacy.filters import ConsentChangeFilterSet
from privacy.models import ConsentChange
from privacy.pagination import NewestFirstCursorPagination
from privacy.permissions import ConsentPermissions, requires
from privacy.serializers import ConsentChangeSerializer, CustomerExportSerializer


class ConsentChangeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The history of every customer's contact permissions, newest first.

    Needs `privacy.view_consentchange`. Pages by keyset: follow `next`.
    """

    queryset = ConsentChange.objects.all()
    serializer_class = ConsentChangeSerializer
    filterset_class = ConsentChangeFilterSet
    pagination_class = NewestFirstCursorPagination
    permission_classes = [ConsentPermissions]


class CustomerConsentChangeViewSet(ConsentChangeViewSet):
    """One customer's consent history, newest first (`privacy.view_consentchange`).

    Takes the filters of `consents/`. An unknown customer is a 404.
    """

    def get_queryset(self):
        customer = get_object_or_404(Customer.objects.only("pk"), pk=self.kwargs["customer_pk"])
        return super().get_queryset().filter(customer=customer)


class CustomerPrivacyViewSet(IdempotencyKeyMixin, viewsets.GenericViewSet):
    """A customer's anonymization and its export (under customers/{pk}/)."""

    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    filter_backends: list = []

    @extend_schema(request=None, responses=CustomerSerializer)
    @action(
        detail=True, methods=["post"], permission_classes=[requires("customers.anonymize_customer")]
    )
    def anonymize(self, request, pk=None):
        """Remove the person from the customer and every copy kept (`customers.anonymize_customer`).

        Answers the customer as now stored. A customer anonymized already is
        answered as it is; nothing is written.
        """
        customer = CustomerService.anonymize_customer(
            customer=self.get_object(), audit_context=audit_context_for_request(request)
        )
        return Response(CustomerSerializer(customer).data)

    @extend_schema(responses=CustomerExportSerializer)
    @action(
        detail=True, methods=["get"], permission_classes=[requires("customers.export_customer")]
    )
    def export(self, request, pk=None):
        """Everything held about the customer, as one document (`customers.export_customer`).

        The customer, its addresses, orders with their items and raw payloads,
        consent history, and the audit records of all of these.
        """
        data = customer_export(self.get_object())
        return Response(CustomerExportSerializer(data).data)
