"""The client's address when nginx (deploy/nginx.conf.template) stands in front of the app.

The app server sees nginx's address on every request. nginx passes the client's in
X-Real-IP, overwriting any the client sent, so the app may take it from there,
but only when the app server is reachable through nginx alone: with
DJANGO_BEHIND_PROXY set, anyone who could reach the app server directly could name
any address.
"""

import contextlib
import ipaddress


class ClientAddressFromProxy:
    """WSGI middleware: REMOTE_ADDR from the proxy's X-Real-IP, when it is an IP address."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        forwarded = environ.get("HTTP_X_REAL_IP", "").strip()
        # No header, or not an address nginx would write: the socket's address stands.
        with contextlib.suppress(ValueError):
            environ["REMOTE_ADDR"] = str(ipaddress.ip_address(forwarded))
        return self.application(environ, start_response)
