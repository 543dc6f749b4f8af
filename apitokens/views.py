from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apitokens.serializers import LoginResponseSerializer, LoginSerializer
from apitokens.services import issue_token, revoke_token
from apitokens.throttling import client_address, login_limits
from omnitron.schema import DETAIL_ERROR

BAD_CREDENTIALS = "Unable to log in with provided credentials."


class LoginView(APIView):
    """Exchange a username and password for a new API token: `{"key": ...}`.

    Each login makes a token of its own (only digests are kept, so an earlier
    key cannot be answered again); earlier tokens keep working until they
    expire or are revoked. Failed logins are limited per username and per
    client address: at the limit the answer is 429 before the password is
    even checked, so an attacker there costs no hashing time.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    serializer_class = LoginSerializer

    @extend_schema(
        request=LoginSerializer,
        responses={
            200: LoginResponseSerializer,
            429: OpenApiResponse(
                DETAIL_ERROR,
                description="Too many failed logins for this username or address: "
                "see `Retry-After`.",
            ),
        },
    )
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = serializer.validated_data["username"]
        # Usernames a backend may match regardless of case count as one.
        keys = (username.casefold(), client_address(request))
        limits = login_limits()
        waits = [wait for limit, key in zip(limits, keys, strict=True) if (wait := limit.wait(key))]
        if waits:
            raise exceptions.Throttled(max(waits))

        user = authenticate(
            request, username=username, password=serializer.validated_data["password"]
        )
        if user is None:
            for limit, key in zip(limits, keys, strict=True):
                limit.record_failure(key)
            raise exceptions.ValidationError(
                {"non_field_errors": [BAD_CREDENTIALS]}, code="authorization"
            )
        # The username's count starts again; the address's does not, or one
        # account of an attacker's own would reset the count between guesses.
        limits[0].clear(keys[0])
        return Response({"key": issue_token(user)})


class LogoutView(APIView):
    """Revoke the token this request is authenticated with: it answers 401 from now on."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        revoke_token(request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
