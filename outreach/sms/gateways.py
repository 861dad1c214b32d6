"""SMS gateways, chosen by settings.WUHAI_SMS_GATEWAY:

- `file` (default): one JSON line per message appended to var/sms/outbox-YYYYMMDD.jsonl —
  what a demo or a test reads back. The file holds the full phone (it *is* the gateway's
  input); it sits under WUHAI_VAR_DIR, never served.
- `console`: the log, with the phone masked (development).
- `http`: the provider, POST JSON {phone, text, ref} with the key in the Authorization
  header (WUHAI_SMS_HTTP_URL, _KEY, _TIMEOUT_MS). 2xx with {"id": …} is accepted; 429,
  5xx, a timeout or a refused connection is transient (retried with backoff); any other
  4xx is a permanent refusal of that message.

A gateway is used as a context manager around a batch (`with gateway: gateway.send(…)`),
so the file gateway opens its file once per batch, not once per message."""

from __future__ import annotations

import http.client
import json
import logging
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.utils import timezone

from wuhai_coverage.core.privacy import mask_phone

log = logging.getLogger(__name__)


class GatewayError(Exception):
    """A transient failure: the message may be tried again later."""


class GatewayRefused(Exception):
    """The provider refused this message for good (bad number, content rejected)."""


class Gateway:
    name = "base"

    def __enter__(self) -> Gateway:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def send(self, *, phone: str, text: str, ref: str) -> str:
        """Hand one message to the provider; returns the provider's message id."""
        raise NotImplementedError


class FileGateway(Gateway):
    name = "file"

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or Path(settings.VAR_DIR) / "sms"
        self._fh: TextIO | None = None

    @property
    def path(self) -> Path:
        return self.directory / f"outbox-{timezone.localdate():%Y%m%d}.jsonl"

    def __enter__(self) -> FileGateway:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("a", encoding="utf-8")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def send(self, *, phone: str, text: str, ref: str) -> str:
        provider_id = uuid.uuid4().hex
        line = json.dumps(
            {"id": provider_id, "ref": ref, "phone": phone, "text": text, "at": timezone.now().isoformat()},
            ensure_ascii=False,
        )
        if self._fh is None:  # used outside a `with`: one append
            self.directory.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        else:
            self._fh.write(line + "\n")
        return provider_id


class ConsoleGateway(Gateway):
    name = "console"

    def send(self, *, phone: str, text: str, ref: str) -> str:
        provider_id = uuid.uuid4().hex
        log.info("sms %s to %s (%s chars): %s", ref, mask_phone(phone), len(text), text)
        return provider_id


class HttpGateway(Gateway):
    name = "http"

    def __init__(self, url: str, key: str, timeout_s: float) -> None:
        self.url, self.key, self.timeout_s = url, key, timeout_s

    def send(self, *, phone: str, text: str, ref: str) -> str:
        body = json.dumps({"phone": phone, "text": text, "ref": ref}, ensure_ascii=False).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.key}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310 (configured URL)
                payload = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            # Never the request body in a message: it holds the phone.
            if exc.code == 429 or exc.code >= 500:
                raise GatewayError(f"HTTP {exc.code}") from None
            raise GatewayRefused(f"HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            raise GatewayError(f"{type(reason).__name__}") from None
        except ValueError:
            raise GatewayError("invalid JSON answer") from None
        provider_id = str(payload.get("id") or "") if isinstance(payload, dict) else ""
        if not provider_id:
            raise GatewayError("answer without an id")
        return provider_id[:64]


def gateway_from_settings() -> Gateway:
    name = settings.WUHAI_SMS_GATEWAY
    if name == "console":
        return ConsoleGateway()
    if name == "http":
        return HttpGateway(
            settings.WUHAI_SMS_HTTP_URL,
            settings.WUHAI_SMS_HTTP_KEY,
            settings.WUHAI_SMS_HTTP_TIMEOUT_MS / 1000,
        )
    return FileGateway()
