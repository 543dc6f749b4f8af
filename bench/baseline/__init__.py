"""The benchmark's baseline: the customer API as a user would write it with plain DRF.

A `ModelViewSet` + `ModelSerializer(fields="__all__")` + DRF's default
`PageNumberPagination` + django-filter, on the same Customer table, with
DRF's own token authentication (over the service's tokens) and model
permissions. Only the benchmark's own settings (bench.settings, bench/urls.py)
mount it, under /bench-baseline/: the
service's settings never serve it.
"""
