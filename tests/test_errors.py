"""Any app's error built on omnitron.errors.ServiceError answers its own status and body."""

from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from omnitron.errors import ServiceError


class StockReserved(ServiceError):
    """An error of an app the ground floor has never heard of."""

    status_code = 409
    message = "The stock is reserved."
    error_code = "stock_reserved"


class WithItsOwnBody(StockReserved):
    def body(self) -> dict:
        return {"detail": self.message, "error_code": self.error_code}


def answer_of(error: ServiceError):
    class Refusing(APIView):
        authentication_classes: list = []
        permission_classes: list = []

        def post(self, request):
            raise error

    return Refusing.as_view()(APIRequestFactory().post("/", {}, format="json"))


def test_a_service_error_answers_its_status_and_its_message_as_non_field_errors():
    response = answer_of(StockReserved())

    assert response.status_code == 409
    assert response.data == {"non_field_errors": ["The stock is reserved."]}


def test_a_service_error_answers_the_body_it_gives():
    response = answer_of(WithItsOwnBody("Reserved by order 7."))

    assert response.status_code == 409
    assert response.data == {"detail": "Reserved by order 7.", "error_code": "stock_reserved"}


def test_a_service_error_is_a_400_unless_it_says_otherwise():
    response = answer_of(ServiceError("No."))

    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["No."]}
