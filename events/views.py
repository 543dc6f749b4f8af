from django.db import transaction
from django.db.models import Max
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from events.delivery import retry_delivery
from events.filters import EventFilterSet
from events.models import DeliveryState, Event, WebhookSubscription
from events.outbox import enqueue_webhook_dispatch
from events.pagination import AfterIdPagination
from events.permissions import EventPermissions, WebhookPermissions
from events.serializers import (
    CreatedWebhookSubscriptionSerializer,
    EventSerializer,
    WebhookDeliverySerializer,
    WebhookSubscriptionSerializer,
)
from events.subscriptions import new_secret


class EventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The change feed: every committed change of a customer, address or order, oldest first.

    Read from any point with `after=<id>` and follow `next`. Needs `events.view_event`.
    """

    queryset = Event.objects.select_related("audit_event")
    serializer_class = EventSerializer
    filterset_class = EventFilterSet
    pagination_class = AfterIdPagination
    permission_classes = [EventPermissions]


class WebhookSubscriptionViewSet(viewsets.ModelViewSet):
    """Webhook subscriptions. The create answers the `secret`, once; no other answer has it.

    Needs the `events` app's webhook subscription permissions (view/add/change/delete).
    """

    queryset = WebhookSubscription.objects.all()
    serializer_class = WebhookSubscriptionSerializer
    permission_classes = [WebhookPermissions]

    @extend_schema(responses={201: CreatedWebhookSubscriptionSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Deliveries start with the next change, not with the history of the feed.
        subscription = serializer.save(
            secret=new_secret(),
            created_by=request.user,
            last_event_id=Event.objects.aggregate(newest=Max("id"))["newest"] or 0,
        )
        data = CreatedWebhookSubscriptionSerializer(subscription).data
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        # Turned on again by hand: the reason it was turned off no longer holds.
        if serializer.validated_data.get("is_active"):
            serializer.save(disabled_reason="")
        else:
            serializer.save()
        transaction.on_commit(enqueue_webhook_dispatch)

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        """The deliveries, newest first: state, attempts, last status, next attempt."""
        subscription = self.get_object()
        page = self.paginate_queryset(subscription.deliveries.order_by("-id"))
        serializer = WebhookDeliverySerializer(page, many=True)
        return self.get_paginated_response(serializer.data)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<delivery_pk>[0-9]{1,18})/retry",
        url_name="delivery-retry",
    )
    def retry_delivery(self, request, pk=None, delivery_pk=None):
        """A failed delivery is attempted again (and its subscription turned on again)."""
        subscription = self.get_object()
        delivery = get_object_or_404(subscription.deliveries, pk=delivery_pk)
        if delivery.state != DeliveryState.FAILED:
            raise ValidationError(
                {"state": [f"Only a failed delivery can be retried; this one is {delivery.state}."]}
            )
        if Event.objects.filter(id__in=delivery.event_ids).count() < delivery.event_count:
            raise ValidationError(
                {
                    "event_ids": [
                        "Its events were purged (older than OMNITRON_EVENT_RETENTION_DAYS): "
                        "it cannot be sent again. Read them from the feed while it holds them."
                    ]
                }
            )
        delivery = retry_delivery(delivery)
        transaction.on_commit(enqueue_webhook_dispatch)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
