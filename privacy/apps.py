from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy"

    def ready(self):
        from audit.services import add_audit_listener
        from customers.anonymization import add_erasure_handler
        from privacy.consents import record_privacy_rows
        from privacy.erasure import erase_copies

        add_audit_listener(record_privacy_rows)
        add_erasure_handler(erase_copies)
