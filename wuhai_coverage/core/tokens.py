"""API keys: `Authorization: Token <key>` (rosters.md), checked against hashed keys.

A key is 40 random letters and digits (≈ 238 bits): far beyond guessing, so one SHA-256
is the right hash (a slow password hash would only slow every API call). The digest is
the lookup: a key that is not stored finds no row, whatever its prefix.

A caller who sends wrong keys is throttled per client IP (`token_failure` rate) before
the key is even looked up: DRF's own throttles run after authentication and so never
see a request whose key was refused.
"""

from __future__ import annotations

import hashlib
import secrets
import string

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from wuhai_coverage.core.http import client_ip

KEY_LENGTH = 40
KEY_ALPHABET = string.ascii_letters + string.digits
PREFIX_LENGTH = 8
# last_used_at is written at most this often per key: one UPDATE a minute, not one per call.
LAST_USED_RESOLUTION_SECONDS = 60


def new_key() -> str:
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class ClientIpThrottleMixin:
    """Throttles identify a caller by core.http.client_ip: REMOTE_ADDR, or X-Forwarded-For
    only from a trusted proxy — a forged header cannot dodge a limit, and behind the
    reverse proxy every client is not one bucket."""

    def get_ident(self, request) -> str:
        return client_ip(request) or request.META.get("REMOTE_ADDR", "")


class AnonThrottle(ClientIpThrottleMixin, AnonRateThrottle):
    pass


class UserThrottle(ClientIpThrottleMixin, UserRateThrottle):
    pass


class FailedTokenThrottle(ClientIpThrottleMixin, SimpleRateThrottle):
    """Counts refused keys per client IP; `wait_seconds` says how long the IP must wait
    once it has sent `token_failure` wrong keys within the period."""

    scope = "token_failure"
    # Set by SimpleRateThrottle.__init__ from the rate; the stubs do not declare them.
    num_requests: int
    duration: int

    def get_cache_key(self, request, view=None) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _load(self, request) -> None:
        self.key = self.get_cache_key(request)
        self.now = self.timer()
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]

    def wait_seconds(self, request) -> float | None:
        self._load(request)
        if len(self.history) >= self.num_requests:
            return self.wait()
        return None

    def record_failure(self, request) -> None:
        self._load(request)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        throttle = FailedTokenThrottle()
        wait = throttle.wait_seconds(request)
        if wait is not None:
            raise exceptions.Throttled(wait)
        if len(parts) != 2:
            throttle.record_failure(request)
            raise exceptions.AuthenticationFailed(_("令牌格式错误，应为 Authorization: Token <密钥>。"))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            key = ""
        return self._check(request, key, throttle)

    def _check(self, request, key: str, throttle: FailedTokenThrottle):
        from wuhai_coverage.core.models import ApiToken

        token = None
        if len(key) == KEY_LENGTH:
            token = ApiToken.objects.select_related("user").filter(digest=digest_of(key)).first()
        now = timezone.now()
        problem = None
        if token is None:
            problem = _("令牌无效。")
        elif token.revoked_at is not None:
            problem = _("令牌已被吊销，请向市人社局申请新令牌。")
        elif token.expires_at <= now:
            problem = _("令牌已过期，请向市人社局申请新令牌。")
        elif not token.user.is_active:
            problem = _("该账号已停用。")
        if problem or token is None:
            throttle.record_failure(request)
            raise exceptions.AuthenticationFailed(problem)
        if (
            token.last_used_at is None
            or (now - token.last_used_at).total_seconds() >= LAST_USED_RESOLUTION_SECONDS
        ):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


try:  # the OpenAPI schema names the scheme (drf-spectacular picks extensions up on import)
    from drf_spectacular.extensions import OpenApiAuthenticationExtension

    class ApiTokenScheme(OpenApiAuthenticationExtension):
        target_class = "wuhai_coverage.core.tokens.ApiTokenAuthentication"
        name = "tokenAuth"

        def get_security_definition(self, auto_schema):
            return {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "Token <key> — `manage.py issue_api_token USERNAME`",
            }
except ImportError:  # pragma: no cover
    pass
