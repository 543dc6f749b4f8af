"""The changed fields of a write, as the services apply and audit them."""

from collections.abc import Mapping
from typing import Any

from django.db import models


def apply_changes(instance: models.Model, values: Mapping[str, Any]) -> dict[str, list]:
    """Set on `instance` each value that differs from its own; {field: [old, new]} of those."""
    changes = {}
    for field, value in values.items():
        old = getattr(instance, field)
        if old != value:
            setattr(instance, field, value)
            changes[field] = [old, value]
    return changes
