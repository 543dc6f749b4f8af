from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Change events and webhooks"

    def ready(self):
        from audit.services import add_audit_listener
        from events.outbox import record_events_for_audit

        add_audit_listener(record_events_for_audit)
