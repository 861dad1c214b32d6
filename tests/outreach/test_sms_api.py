"""POST /api/v1/sms/receipts/: the shared secret (401 without it, 403 when wrong or when
none is configured), receipts and replies applied, a bad body 400."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from outreach.models import SmsMessage, SmsOptOut
from tests.factories import make_user
from tests.outreach.sms_helpers import make_campaign, person_task, send_now
from tests.outreach.test_sms_services import FakeGateway

pytestmark = pytest.mark.django_db
URL = "/api/v1/sms/receipts/"
SECRET = "s3cret-of-the-provider-0123456789"


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.WUHAI_SMS_RECEIPT_SECRET = SECRET
    settings.WUHAI_SMS_BACKOFF_MS = 0


def _post(body, secret: str | None = SECRET, client=None):
    client = client or APIClient()
    headers = {} if secret is None else {"HTTP_X_WUHAI_SMS_SECRET": secret}
    return client.post(URL, body, format="json", **headers)


def test_without_the_header_401_with_a_wrong_secret_403():
    res = _post({}, secret=None)
    assert res.status_code == 401 and res["WWW-Authenticate"] == "X-Wuhai-Sms-Secret"
    assert _post({}, secret="wrong").status_code == 403
    assert _post({}, secret="").status_code == 403


def test_no_secret_configured_refuses_everyone(settings):
    settings.WUHAI_SMS_RECEIPT_SECRET = ""
    assert _post({}, secret="").status_code == 403
    assert _post({}, secret=SECRET).status_code == 403


def test_a_staff_session_or_api_key_is_not_the_gateway(client_for):
    manager = make_user("city_manager")
    assert (
        _post(
            {"replies": [{"phone": "13712345678", "text": "TD"}]}, secret=None, client=client_for(manager)
        ).status_code
        == 401
    )
    assert not SmsOptOut.objects.exists()


def test_receipts_and_replies_are_applied():
    caseworker = make_user("district_caseworker", district="150302")
    task = person_task()
    send_now(make_campaign(caseworker), user=caseworker, gateway=FakeGateway())
    msg = SmsMessage.objects.get()
    res = _post(
        {
            "receipts": [
                {"message_id": msg.provider_id, "status": "delivered", "at": "2026-06-01T10:00:00+08:00"}
            ],
            "replies": [{"phone": "13912345678", "text": "退订"}],
        }
    )
    assert res.status_code == 200
    assert res.json() == {"delivered": 1, "failed": 0, "unknown": 0, "opted_out": 1}
    msg.refresh_from_db()
    assert msg.status == "delivered" and msg.delivered_at is not None and msg.task_id == task.pk
    assert SmsOptOut.objects.get().source == "reply"


@pytest.mark.parametrize(
    "body",
    [
        {"receipts": [{"message_id": "x", "status": "read"}]},
        {"receipts": [{"status": "delivered"}]},
        {"replies": [{"phone": 13712345678, "text": "TD"}]},
        {"receipts": "nope"},
        {"replies": [{"phone": "13712345678", "text": "TD"}] * 1001},
    ],
)
def test_a_bad_body_is_400(body):
    assert _post(body).status_code == 400
    assert not SmsOptOut.objects.exists()
