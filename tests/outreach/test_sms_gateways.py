"""The HTTP provider against a local fake server that fails and delays on purpose, the
console gateway's masking, and the choice of gateway by setting."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from outreach.models import SmsMessage
from outreach.sms import gateways, services
from outreach.sms.gateways import ConsoleGateway, FileGateway, GatewayError, GatewayRefused, HttpGateway
from tests.factories import make_user
from tests.outreach.sms_helpers import make_campaign, person_task, phone_of, send_now


class FakeProvider:
    """A provider on 127.0.0.1: answers from a script of (status, delay_s) per request,
    then 200 {"id": …}; records every request it got."""

    def __init__(self, script=()):
        self.script = list(script)
        self.requests: list[dict] = []
        self.abandoned = 0  # answers the client no longer waited for (it timed out)
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                provider.requests.append({"body": body, "auth": self.headers.get("Authorization")})
                status, delay = provider.script.pop(0) if provider.script else (200, 0)
                if delay:
                    threading.Event().wait(delay)
                payload = json.dumps(
                    {"id": f"p{len(provider.requests)}"} if status == 200 else {"error": "x"}
                )
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(payload.encode())
                except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
                    provider.abandoned += 1

            def log_message(self, *args):
                return  # quiet: the tests read provider.requests, not the server's log

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/sms"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_a_2xx_answer_gives_the_provider_id_and_carries_the_key():
    with FakeProvider() as provider:
        gw = HttpGateway(provider.url, "k-123", timeout_s=2)
        assert gw.send(phone="13712345678", text="您好", ref="7") == "p1"
    assert provider.requests == [
        {"body": {"phone": "13712345678", "text": "您好", "ref": "7"}, "auth": "Bearer k-123"}
    ]


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, GatewayError),
        (503, GatewayError),
        (429, GatewayError),
        (400, GatewayRefused),
        (403, GatewayRefused),
    ],
)
def test_http_errors_are_transient_or_permanent(status, error):
    with FakeProvider([(status, 0)]) as provider:
        with pytest.raises(error, match=str(status)) as info:
            HttpGateway(provider.url, "k", timeout_s=2).send(phone="13712345678", text="x", ref="1")
    assert "13712345678" not in str(info.value)


def test_a_slow_provider_times_out_as_a_transient_error():
    with FakeProvider([(200, 1.0)]) as provider:
        with pytest.raises(GatewayError):
            HttpGateway(provider.url, "k", timeout_s=0.2).send(phone="13712345678", text="x", ref="1")


def test_a_refused_connection_is_a_transient_error():
    with FakeProvider() as provider:
        url = provider.url
    with pytest.raises(GatewayError):
        HttpGateway(url, "k", timeout_s=0.5).send(phone="13712345678", text="x", ref="1")


@pytest.mark.django_db
def test_a_campaign_through_a_failing_and_slow_provider(settings):
    settings.WUHAI_SMS_BACKOFF_MS = 10
    settings.WUHAI_SMS_MAX_ATTEMPTS = 4
    caseworker = make_user("district_caseworker", district="150302")
    tasks = [person_task() for _ in range(3)]
    campaign = make_campaign(caseworker)
    # 1st message: 503, then too slow, then accepted; 2nd: accepted; 3rd: 400 for good.
    script = [(503, 0), (200, 0.6), (200, 0), (200, 0), (400, 0)]
    with FakeProvider(script) as provider:
        settings.WUHAI_SMS_GATEWAY = "http"
        settings.WUHAI_SMS_HTTP_URL, settings.WUHAI_SMS_HTTP_KEY = provider.url, "k"
        settings.WUHAI_SMS_HTTP_TIMEOUT_MS = 300
        result = send_now(campaign, user=caseworker)
    got = {m.task_id: (m.status, m.attempts) for m in SmsMessage.objects.all()}
    assert got == {tasks[0].pk: ("sent", 3), tasks[1].pk: ("sent", 1), tasks[2].pk: ("failed", 1)}
    assert (result.sent, result.failed) == (2, 1)
    assert [r["body"]["phone"] for r in provider.requests][-1] == phone_of(tasks[2])


def test_the_console_gateway_logs_the_phone_masked(caplog):
    with caplog.at_level(logging.INFO, logger="outreach.sms.gateways"):
        ConsoleGateway().send(phone="13712345678", text="您好", ref="9")
    assert "137****5678" in caplog.text and "13712345678" not in caplog.text


@pytest.mark.parametrize(
    ("name", "cls"), [("file", FileGateway), ("console", ConsoleGateway), ("http", HttpGateway)]
)
def test_the_gateway_is_chosen_by_setting(settings, name, cls):
    settings.WUHAI_SMS_GATEWAY = name
    settings.WUHAI_SMS_HTTP_URL = "http://127.0.0.1:9/"
    assert isinstance(gateways.gateway_from_settings(), cls)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WUHAI_SMS_GATEWAY": "carrier-pigeon"}, "file, console or http"),
        ({"WUHAI_SMS_GATEWAY": "http"}, "WUHAI_SMS_HTTP_URL"),
    ],
)
def test_a_bad_gateway_setting_stops_start_up(env, message):
    import os
    import subprocess
    import sys

    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='wuhai_coverage.settings'; django.setup()"
    proc = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode != 0 and message in proc.stderr


def test_nothing_unmasked_reaches_the_log_when_sending(caplog, settings, db):
    settings.WUHAI_SMS_GATEWAY = "console"
    settings.WUHAI_SMS_BACKOFF_MS = 0
    caseworker = make_user("district_caseworker", district="150302")
    task = person_task()
    with caplog.at_level(logging.DEBUG):
        send_now(make_campaign(caseworker), user=caseworker)
    assert phone_of(task) not in caplog.text and task.subject_key not in caplog.text
    assert services.SEGMENT_SINGLE == 70


def test_the_file_gateway_appends_outside_a_batch_too(tmp_path):
    gateway = FileGateway(tmp_path / "new")
    first = gateway.send(phone="13712345678", text="一", ref="1")
    second = gateway.send(phone="13712345679", text="二", ref="2")
    lines = [json.loads(line) for line in gateway.path.read_text(encoding="utf-8").splitlines()]
    assert [(line["id"], line["text"]) for line in lines] == [(first, "一"), (second, "二")]
