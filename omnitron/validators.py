from django.core.exceptions import ValidationError

# Deeper than any attributes or settings object needs; unbounded nesting would
# exhaust the stack of whatever walks the value next (a 500, not a 400).
MAX_JSON_DEPTH = 32


def validate_json_object(value) -> None:
    """A JSON object, at most MAX_JSON_DEPTH levels deep, with no NUL character anywhere.

    PostgreSQL's jsonb refuses NUL characters. The walk is iterative, so a
    deeply nested value is refused rather than crashing the validator.
    """
    if not isinstance(value, dict):
        raise ValidationError("Expected a JSON object.", code="not_an_object")
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise ValidationError("Null characters are not allowed.", code="null_characters")
            continue
        if isinstance(item, dict):
            children = [*item.keys(), *item.values()]
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_JSON_DEPTH:
            raise ValidationError(f"Nested deeper than {MAX_JSON_DEPTH} levels.", code="too_deep")
        stack.extend((child, depth + 1) for child in children)
