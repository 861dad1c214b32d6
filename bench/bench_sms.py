"""Benchmark of SMS pushes: a campaign of 100,000 persons prepared (one INSERT … SELECT that
renders every message, dedup per person, then the no-phone, opt-out and 7-day marks) and
sent through the file gateway under the rate cap (the database claim per batch, the
gateway, the delivery log and the timeline events). Prints figures; asserts nothing.

Baselines, measured in the same process on the same rows:
- preparing: a plain INSERT … SELECT copying the prepared campaign's rows into another
  campaign (no join, no rendering, no dedup, no skip marks) — the floor of writing them;
- sending: the same number of JSON lines written to a file in a bare loop — the floor of
  the file gateway.

    DATABASE_URL=postgres://wuhai:wuhai@127.0.0.1:5432/wuhai_sms_bench \\
      .venv/bin/python bench/bench_sms.py --persons 100000 --rate 2000

Use a scratch database: it is migrated, and its tasks, persons and SMS tables are
replaced. No VACUUM or ANALYZE is run (autovacuum may be off, as on the CI machines).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuhai_coverage.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")

DISTRICTS = {"150302": "150302001", "150303": "150303001", "150304": "150304002"}


def max_in_one_second(times: list[float]) -> int:
    """The most sends that fell into any one-second window (two pointers over sorted times)."""
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] >= 1.0:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def load_world(n: int) -> dict[str, int]:
    """n open person tasks over the three districts, their persons, and the skip cases:
    1 % a second task of the same person, 5 % no mobile, 2 % opted out, 3 % sent 3 days ago."""
    from django.db import connection
    from django.utils import timezone

    from enforcement.models import Task
    from enrollment.models import Person
    from outreach.models import SmsCampaign, SmsMessage, SmsOptOut, SmsPersonLedger
    from wuhai_coverage.core.sql import t

    with connection.cursor() as c:
        for model in (SmsMessage, SmsPersonLedger, SmsOptOut, SmsCampaign):
            c.execute(f"DELETE FROM {t(model)}")
        c.execute(
            f"DELETE FROM enforcement_taskevent WHERE task_id IN (SELECT id FROM {t(Task)} WHERE subject_key LIKE 'B%%')"
        )
        c.execute(f"DELETE FROM {t(Task)} WHERE subject_key LIKE 'B%%'")
        c.execute(f"DELETE FROM {t(Person)} WHERE id_number LIKE 'B%%'")
    now = timezone.now()
    persons, tasks, opt_outs, ledger = io.StringIO(), io.StringIO(), [], []
    codes = list(DISTRICTS)
    for i in range(n):
        key = f"B{i:017d}"
        district = codes[i % 3]
        phone = "" if i % 20 == 0 else f"1{37 + i % 3}{i:08d}"
        persons.write(
            f"{key}\t陈{i}\t1985-01-01\t{'M' if i % 2 else 'F'}\t{district}\t{DISTRICTS[district]}\t\t{phone}\n"
        )
        tasks.write(
            f"enroll_person\tperson\t{key}\t陈{i}\t{district}\t{DISTRICTS[district]}\tnormal\topen\t\t{{}}\t{now.isoformat()}\n"
        )
        if i % 100 == 1:  # the same person found by a second rule
            tasks.write(
                f"elderly_enrollment\tperson\t{key}\t陈{i}\t{district}\t{DISTRICTS[district]}\tnormal\topen\t\t{{}}\t{now.isoformat()}\n"
            )
        if i % 50 == 3 and phone:
            opt_outs.append(SmsOptOut(phone=phone, source="manual"))
        if i % 33 == 5:
            ledger.append(SmsPersonLedger(id_number=key, last_sent_at=now - dt.timedelta(days=3)))
    with connection.cursor() as c:
        raw = c.cursor  # psycopg2 cursor: COPY
        persons.seek(0)
        raw.copy_from(
            persons,
            "enrollment_person",
            columns=(
                "id_number",
                "name",
                "birth_date",
                "sex",
                "district_id",
                "street_id",
                "community",
                "phone",
            ),
        )
        tasks.seek(0)
        raw.copy_from(
            tasks,
            "enforcement_task",
            columns=(
                "kind",
                "subject_type",
                "subject_key",
                "subject_name",
                "district_id",
                "street_id",
                "priority",
                "status",
                "resolution",
                "evidence",
                "opened_at",
            ),
        )
    SmsOptOut.objects.bulk_create(opt_outs, batch_size=5000)
    SmsPersonLedger.objects.bulk_create(ledger, batch_size=5000)
    return {"persons": n, "opt_outs": len(opt_outs), "recent": len(ledger)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--rate", type=int, default=2000, help="WUHAI_SMS_RATE_PER_SECOND for the send")
    args = ap.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    if connection.vendor != "postgresql":
        sys.exit("bench_sms needs PostgreSQL (DATABASE_URL=postgres://…)")
    call_command("migrate", verbosity=0)
    from outreach.models import SmsMessage
    from outreach.sms import services
    from outreach.sms.gateways import FileGateway
    from tests.factories import make_user
    from wuhai_coverage.core.models import User
    from wuhai_coverage.core.sql import t

    t0 = time.perf_counter()
    world = load_world(args.persons)
    print(f"world: {world} loaded in {time.perf_counter() - t0:.1f} s")
    manager = User.objects.filter(username="bench-manager").first() or make_user(
        "city_manager", username="bench-manager"
    )

    # --- preparing ---
    t0 = time.perf_counter()
    campaign = services.campaign_create(
        actor=manager,
        kinds=["enroll_person", "elderly_enrollment"],
        statuses=["open"],
        template=services.DEFAULT_TEMPLATE,
        deadline=timezone.localdate() + dt.timedelta(days=30),
    )
    prepare_s = time.perf_counter() - t0
    by_reason = SmsMessage.objects.filter(campaign=campaign).values("skip_reason").annotate(n=Count("id"))
    counts = {row["skip_reason"]: row["n"] for row in by_reason.order_by()}
    rows = sum(counts.values())
    other = services.SmsCampaign.objects.create(
        template="x", deadline=campaign.deadline, created_by=manager, status="finished"
    )
    t0 = time.perf_counter()
    with connection.cursor() as c:
        c.execute(
            f"""INSERT INTO {t(SmsMessage)} (campaign_id, task_id, id_number, phone, text, status, skip_reason,
                                             attempts, provider_id, error)
                SELECT %(other)s, task_id, id_number, phone, text, status, skip_reason, attempts, provider_id, error
                FROM {t(SmsMessage)} WHERE campaign_id = %(c)s""",
            {"other": other.pk, "c": campaign.pk},
        )
    baseline_prepare_s = time.perf_counter() - t0
    SmsMessage.objects.filter(campaign=other).delete()
    other.delete()
    print(
        f"prepare: {rows:,} messages from {args.persons:,} persons in {prepare_s:.2f} s "
        f"(to send {counts.get('', 0):,}; no phone {counts.get('no_phone', 0):,}, opted out "
        f"{counts.get('opted_out', 0):,}, within 7 days {counts.get('recent', 0):,}) — target < 10 s"
    )
    print(
        f"  baseline plain INSERT … SELECT of the same rows: {baseline_prepare_s:.2f} s → ratio {prepare_s / baseline_prepare_s:.1f}×"
    )

    # --- sending ---
    settings.WUHAI_SMS_RATE_PER_SECOND = args.rate
    with tempfile.TemporaryDirectory() as tmp:
        gateway = FileGateway(Path(tmp))
        services.SmsCampaign.objects.filter(pk=campaign.pk).update(status="queued", sent_by=manager)
        result = services.campaign_send(campaign_id=campaign.pk, gateway=gateway)
        lines = sum(1 for _ in gateway.path.open(encoding="utf-8"))
        # Baseline: the same number of JSON lines, written in a bare loop.
        t0 = time.perf_counter()
        with (Path(tmp) / "baseline.jsonl").open("a", encoding="utf-8") as fh:
            for i in range(result.sent):
                fh.write(
                    json.dumps(
                        {"id": uuid.uuid4().hex, "ref": str(i), "phone": "13700000000", "text": "x" * 60},
                        ensure_ascii=False,
                    )
                    + "\n"
                )
        baseline_send_s = time.perf_counter() - t0
    rate = result.sent / result.seconds
    peak = max_in_one_second(result.send_times)
    print(
        f"send: {result.sent:,} sent, {result.skipped:,} skipped at claim, {result.failed} failed in {result.seconds:.1f} s "
        f"= {rate:,.0f} msg/s (target ≥ 1,000; cap {args.rate:,}/s); most in any 1 s window: {peak:,} "
        f"({'holds' if peak <= args.rate else 'BROKEN'}); gateway file lines {lines:,}"
    )
    print(
        f"  baseline bare JSON-lines loop: {baseline_send_s:.2f} s = {result.sent / baseline_send_s:,.0f} lines/s "
        f"→ ratio {result.seconds / baseline_send_s:.1f}× (the rest: the cap, claims, log and timeline writes)"
    )
    from enforcement.models import TaskEvent

    print(
        f"timeline events written: {TaskEvent.objects.filter(kind='sms_sent', data__campaign=campaign.pk).count():,}"
    )


if __name__ == "__main__":
    main()
