"""The router of the apps' viewsets."""

from rest_framework.routers import SimpleRouter

# ASCII digits: a regex's `\d` and Python's int() also read other scripts'
# digits (U+0661 ARABIC-INDIC DIGIT ONE is 1), which would make /customers/<U+0661>/
# customer 1. A path's number is written in ASCII or names nothing.
KEY_PATTERN = "[0-9]+"


class KeyRouter(SimpleRouter):
    """SimpleRouter whose detail routes take an object's key in ASCII digits.

    DRF's default takes any text up to the next slash. A viewset may still
    set its own `lookup_value_regex`.
    """

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        lookup_field = getattr(viewset, "lookup_field", "pk")
        lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        pattern = getattr(viewset, "lookup_value_regex", KEY_PATTERN)
        return f"(?P<{lookup_prefix}{lookup_url_kwarg}>{pattern})"
