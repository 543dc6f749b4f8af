"""The service's URLs and, under /bench-baseline/, the benchmark's plain-DRF baseline."""

from django.urls import include, path

from omnitron.urls import handler400, handler403, handler404, handler500
from omnitron.urls import urlpatterns as service_urlpatterns

urlpatterns = [
    *service_urlpatterns,
    path("bench-baseline/", include("bench.baseline.urls")),
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
