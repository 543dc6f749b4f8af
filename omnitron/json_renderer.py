"""The API's JSON renderer: DRF's output, written by orjson.

DRF's JSONRenderer runs the standard library's encoder, in Python for every
value; orjson writes the same page several times faster (bench/results.md),
which counts most on the largest pages (`limit` 1,000).

The bytes are DRF's: compact separators, UTF-8 rather than \\u escapes, and
U+2028 and U+2029 escaped as DRF escapes them (they end a line in JavaScript).
What orjson would write differently goes through DRF's own encoder instead:
date-times and dates (DRF writes "...Z" and milliseconds), values orjson does
not know (Decimal, lazy strings, generators), and what orjson refuses (an
integer beyond 64 bits, a key that is not a string). So does an `indent`
asked for in the Accept header, and everything when the settings ask DRF for
ASCII or spaced output (UNICODE_JSON, COMPACT_JSON). One difference remains:
a float NaN or infinity, which DRF refuses with an error, is written as null.
No field of the API holds a float.
"""

import orjson
from rest_framework.renderers import JSONRenderer

OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
LINE_SEPARATOR, PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()


class FastJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        renderer_context = renderer_context or {}
        plain = self.compact and not self.ensure_ascii
        if not plain or self.get_indent(accepted_media_type, renderer_context) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=self.encoder_class().default, option=OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        return body.replace(LINE_SEPARATOR, b"\\u2028").replace(PARAGRAPH_SEPARATOR, b"\\u2029")
