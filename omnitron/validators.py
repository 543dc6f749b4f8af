from django.core.exceptions import ValidationError


def _contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(item) for item in value)
    return False


def validate_json_object(value) -> None:
    """A JSON object, with no NUL character anywhere (PostgreSQL's jsonb refuses them)."""
    if not isinstance(value, dict):
        raise ValidationError("Expected a JSON object.", code="not_an_object")
    if _contains_nul(value):
        raise ValidationError("Null characters are not allowed.", code="null_characters")
