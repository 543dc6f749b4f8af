from django.urls import path

from customers.oms.views import OmsCustomerListView

urlpatterns = [
    path(
        "oms/customers/list-simple/",
        OmsCustomerListView.as_view(),
        name="oms-customer-list-simple",
    ),
]
