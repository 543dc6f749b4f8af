"""The benchmark's baseline: the customer API as a user would write it with plain DRF.

A `ModelViewSet` + `ModelSerializer(fields="__all__")` + DRF's default
`PageNumberPagination` + django-filter, on the same Customer table, with
DRF's own token authentication (over the service's tokens) and model
permissions. `omnitron/urls.py` mounts it under /bench-baseline/ only when
OMNITRON_BENCH_BASELINE=1 (bench/api.py sets it), so production never serves it.
"""
