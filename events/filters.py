"""EventFilterSet: the filters of /api/v1/events/. A value it cannot read is a 400 naming it."""

from django.conf import settings
from django_filters import rest_framework as filters

from events.models import Event
from events.outbox import EVENT_VERBS
from omnitron.filters import BoundedTextFilterSet, IntegerFilter


def event_type_choices() -> list[tuple[str, str]]:
    resources = sorted({spec["resource"] for spec in settings.OMNITRON_EVENT_RESOURCES.values()})
    return [
        (f"{resource}.{verb}", f"{resource}.{verb}")
        for resource in resources
        for verb in EVENT_VERBS.values()
    ]


def resource_choices() -> list[tuple[str, str]]:
    resources = sorted({spec["resource"] for spec in settings.OMNITRON_EVENT_RESOURCES.values()})
    return [(resource, resource) for resource in resources]


class EventFilterSet(BoundedTextFilterSet):
    type = filters.MultipleChoiceFilter(
        choices=event_type_choices, help_text="Event type; repeat for several."
    )
    resource = filters.ChoiceFilter(choices=resource_choices)
    resource_id = IntegerFilter(help_text="The changed resource's id (use with `resource`).")
    channel = IntegerFilter(field_name="channel_id", help_text="The sales channel's id.")

    class Meta:
        model = Event
        fields: list[str] = []
