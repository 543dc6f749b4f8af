import math
import re

from django.core.exceptions import ValidationError

# Deeper than any attributes or settings object needs; unbounded nesting would
# exhaust the stack of whatever walks the value next (a 500, not a 400).
MAX_JSON_DEPTH = 32
# Lone UTF-16 surrogates (JSON's "\\ud800"): not Unicode text, so not storable as UTF-8.
SURROGATES = re.compile("[\ud800-\udfff]")


def validate_json_object(value) -> None:
    """A JSON object, at most MAX_JSON_DEPTH levels deep, that PostgreSQL's jsonb can store.

    jsonb refuses NUL characters, lone surrogates and non-finite numbers
    (1e999 reads as infinity). The walk is iterative, so a deeply nested
    value is refused rather than crashing the validator.
    """
    if not isinstance(value, dict):
        raise ValidationError("Expected a JSON object.", code="not_an_object")
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise ValidationError("Null characters are not allowed.", code="null_characters")
            if SURROGATES.search(item):
                raise ValidationError(
                    "Surrogate characters are not allowed.", code="surrogate_characters"
                )
            continue
        if isinstance(item, float) and not math.isfinite(item):
            raise ValidationError("Numbers must be finite.", code="not_finite")
        if isinstance(item, dict):
            children = [*item.keys(), *item.values()]
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_JSON_DEPTH:
            raise ValidationError(f"Nested deeper than {MAX_JSON_DEPTH} levels.", code="too_deep")
        stack.extend((child, depth + 1) for child in children)
