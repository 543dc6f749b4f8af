from django.apps import AppConfig


class AddressesConfig(AppConfig):
    name = "addresses"
    verbose_name = "Addresses"

    def ready(self):
        from addresses.services import AddressService
        from customers.services import delete_with_customers

        # A customer's addresses go with it, each with its own audit record.
        delete_with_customers(AddressService.delete_addresses_of)
