"""Errors the order service raises, with their documented texts."""

from omnitron.errors import ServiceError

NUMBER_TAKEN_MESSAGE = "The channel already has an order with this number."
CUSTOMER_NOT_IN_CHANNEL_MESSAGE = "Not a customer of this channel."
ADDRESS_NOT_OF_CUSTOMER_MESSAGE = "Not an address of this order's customer."


class OrderRejected(ServiceError):
    """An order that cannot be written; `errors` names each bad field by its path.

    The same names the import's rejects file gives (`order.number`,
    `order.customer.email`, `order_item[0].price`).
    """

    error_code = "invalid"

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))

    def body(self) -> dict:
        return self.errors


class OrderNumberTaken(OrderRejected):
    """The channel already has an order of this number (a repeat of a post)."""

    error_code = "unique"

    def __init__(self):
        super().__init__({"order.number": [NUMBER_TAKEN_MESSAGE]})
