from django.http import JsonResponse
from django.middleware import common
from rest_framework import status

from omnitron.exceptions import API_PREFIX

# Methods a client repeats unchanged when it follows a redirect.
REDIRECTED_INTACT = frozenset({"GET", "HEAD", "OPTIONS"})


class CommonMiddleware(common.CommonMiddleware):
    """Django's CommonMiddleware, but a write under /api/ without its trailing slash is a 404.

    APPEND_SLASH answers a URL missing its slash with a 301 redirect, which
    clients follow as a GET, dropping the body (with DEBUG on, Django raises
    RuntimeError for it: a 500). A write there is a 404 in JSON that names
    the URL to use; reads are still redirected.
    """

    def process_response(self, request, response):
        if (
            response.status_code == status.HTTP_404_NOT_FOUND
            and request.method not in REDIRECTED_INTACT
            and request.path.startswith(API_PREFIX)
            and self.should_redirect_with_slash(request)
        ):
            not_found = JsonResponse(
                {"detail": f"Not found. This URL ends with a slash: {request.path}/"},
                status=status.HTTP_404_NOT_FOUND,
            )
            # Headers the inner layers set (X-Request-ID) stay; the body's own are new.
            for header, value in response.items():
                if header.lower() not in ("content-type", "content-length"):
                    not_found.setdefault(header, value)
            return not_found
        return super().process_response(request, response)
