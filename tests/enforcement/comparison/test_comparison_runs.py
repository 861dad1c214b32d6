"""Running the comparison: the command's JSON, the beat entry, the API (who may start a run),
the runs page with its progress fragment, the thresholds page, and a real Celery worker."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.conf import settings as dj_settings
from django.core.management import CommandError, call_command

from enforcement.models import ComparisonRun, RuleParameter
from tests.enforcement.comparison.comparison_world import World, open_keys

D = dt.date(2025, 6, 15)


@pytest.mark.django_db
def test_command_prints_the_summary_json_on_its_last_line():
    w = World(D)
    w.market()
    w.household()
    out = io.StringIO()
    call_command("run_comparison", "--as-of", "2025-06-15", stdout=out, stderr=io.StringIO())
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert list(summary) == ["run_id", "as_of", "opened", "closed", "open", "skipped", "duration_s"]
    assert summary["as_of"] == "2025-06-15"
    assert summary["opened"]["enroll_employer"] == 1 and summary["opened"]["enroll_person"] == 1
    assert summary["closed"]["enroll_employer"] == 0 and summary["open"]["enroll_person"] == 1
    assert summary["skipped"] == [] and summary["duration_s"] >= 0
    run = ComparisonRun.objects.get(pk=summary["run_id"])
    assert run.status == "finished" and run.trigger == "command"
    assert run.parameters["registration_grace_days"] == 30 and Decimal(
        run.parameters["missed_min_ratio"]
    ) == Decimal("0.05")
    assert set(run.rule_seconds) >= {"enroll_employer", "elderly_enrollment"}


@pytest.mark.django_db
def test_command_reports_skipped_rules_and_rejects_a_bad_date():
    World(D, kinds=("market_entities",))
    out = io.StringIO()
    call_command("run_comparison", "--as-of", "2025-06-15", stdout=out, stderr=io.StringIO())
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert {s["rule"] for s in summary["skipped"]} == {
        "enroll_employer",
        "missed_employees",
        "selective_enrollment",
        "underreported_base",
        "injury_key_industry",
        "collect_arrears",
        "construction_injury",
        "subsidized_enrollment",
        "resume_contributions",
        "enroll_person",
        "elderly_enrollment",
    }
    assert all(s["reason"] for s in summary["skipped"])
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("run_comparison", "--as-of", "15/06/2025")


@pytest.mark.django_db
def test_thresholds_come_from_rule_parameters_and_are_recorded():
    RuleParameter.objects.create(name="registration_grace_days", value=10)
    w = World(D)
    uscc = w.market(established_on=D - dt.timedelta(days=10))
    summary = w.run()
    assert uscc in open_keys("enroll_employer")
    assert ComparisonRun.objects.get(pk=summary.run_id).parameters["registration_grace_days"] == 10


def test_beat_runs_the_nightly_comparison_at_two_in_shanghai():
    entry = dj_settings.CELERY_BEAT_SCHEDULE["nightly-comparison"]
    assert entry["task"] == "enforcement.tasks.comparison_nightly_task"
    assert entry["schedule"].hour == {2} and entry["schedule"].minute == {0}
    assert dj_settings.CELERY_TIMEZONE == "Asia/Shanghai"
    from enforcement import tasks

    assert tasks.comparison_nightly_task.name == entry["task"]


@pytest.mark.django_db
def test_a_queued_run_never_makes_the_nightly_skip():
    """A run a city manager queued whose worker has not come yet (the broker was down, or
    its message waits behind a long task) is executed by the nightly first, then its own."""
    from enforcement.comparison.engine import start_run
    from enforcement.tasks import comparison_nightly_task

    World(D)
    queued = start_run(as_of=D)
    summary = comparison_nightly_task()
    assert summary is not None and summary["run_id"] != queued.pk
    assert list(ComparisonRun.objects.order_by("id").values_list("status", flat=True)) == [
        "finished",
        "finished",
    ]


# --- API --------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role_fixture, status",
    [
        ("city_manager", 201),
        ("caseworker", 403),
        ("street_staff", 403),
        ("inspector", 403),
        ("partner_market", 403),
    ],
)
def test_only_city_managers_may_start_a_run(request, client_for, role_fixture, status):
    World(D)
    user = request.getfixturevalue(role_fixture)
    res = client_for(user).post("/api/v1/comparison-runs/", {"as_of": "2025-06-15"}, format="json")
    assert res.status_code == status, res.content
    if status == 201:
        assert res.json()["status"] == "finished" and res.json()["as_of"] == "2025-06-15"
        assert res.json()["triggered_by"] == user.username
    else:
        assert ComparisonRun.objects.count() == 0


@pytest.mark.django_db
def test_api_start_answers_202_and_sends_the_run_through_the_outbox(
    city_manager, client_for, monkeypatch, settings, django_capture_on_commit_callbacks
):
    from wuhai_coverage.celery import app
    from wuhai_coverage.outbox.models import OutboxMessage

    sent = []
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(app.conf, "task_always_eager", False)
    monkeypatch.setattr(app, "send_task", lambda name, kwargs=None, **kw: sent.append((name, kwargs)))
    with django_capture_on_commit_callbacks(execute=True):
        res = client_for(city_manager).post("/api/v1/comparison-runs/", {}, format="json")
    assert res.status_code == 202
    assert res.json()["status"] == "running" and res.json()["progress"]["phase"] == "queued"
    assert sent == [("enforcement.tasks.comparison_run_task", {"run_id": res.json()["id"]})]
    message = OutboxMessage.objects.get()  # deleted by the task when it starts
    assert message.sent_at is not None and message.kwargs == {"run_id": res.json()["id"]}
    again = client_for(city_manager).post("/api/v1/comparison-runs/", {}, format="json")
    assert again.status_code == 409


@pytest.mark.django_db
def test_api_rejects_a_bad_date_with_400(city_manager, client_for):
    res = client_for(city_manager).post("/api/v1/comparison-runs/", {"as_of": "2025-13-01"}, format="json")
    assert res.status_code == 400 and "as_of" in res.json()


@pytest.mark.django_db
def test_api_lists_and_details_runs(city_manager, caseworker, partner_market, client_for):
    w = World(D)
    w.market()
    summary = w.run()
    listing = client_for(caseworker).get("/api/v1/comparison-runs/")
    assert listing.status_code == 200 and listing.json()["count"] == 1
    detail = client_for(city_manager).get(f"/api/v1/comparison-runs/{summary.run_id}/").json()
    assert detail["opened"]["enroll_employer"] == 1 and detail["skipped"] == []
    assert client_for(partner_market).get("/api/v1/comparison-runs/").status_code == 403
    assert client_for(city_manager).get("/api/v1/comparison-runs/99999/").status_code == 404


# --- pages ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_runs_page_lists_runs_and_the_detail_shows_kinds_skips_and_chart(client, city_manager):
    from enrollment.models import RosterKind

    w = World(D, kinds=tuple(k for k in RosterKind.values if k != "insurance_projects"))
    w.batch("insurance_projects", snapshot_date=D - dt.timedelta(days=30))
    w.market()
    summary = w.run()
    client.force_login(city_manager)
    page = client.get("/comparison-runs/").content.decode()
    assert "比对运行" in page and "立即运行比对" in page and "construction_injury" in page
    detail = client.get(f"/comparison-runs/{summary.run_id}/").content.decode()
    assert "<svg" in detail and "未参保企业抓参保" in detail and "已跳过" in detail and "30 天" in detail
    assert "hx-trigger" not in detail  # finished: no more polling


@pytest.mark.django_db
def test_a_running_run_polls_for_progress(client, caseworker):
    from enforcement.comparison.engine import start_run

    run = start_run(as_of=D)
    ComparisonRun.objects.filter(pk=run.pk).update(
        progress={"phase": "evaluating", "done": 4, "total": 11, "current": "injury_key_industry"}
    )
    client.force_login(caseworker)
    page = client.get(f"/comparison-runs/{run.pk}/").content.decode()
    assert (
        'hx-trigger="every 2s"' in page
        and "尘肺病重点行业工伤扩面" in page
        and "比对中" in page
        and "4/11" in page
    )
    fragment = client.get(f"/comparison-runs/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('<div id="run-body"') and "<html" not in fragment


@pytest.mark.django_db
def test_start_from_the_page_and_forbidden_for_others(client, city_manager, street_staff):
    World(D)
    client.force_login(street_staff)
    assert client.post("/comparison-runs/start/", {"as_of": "2025-06-15"}).status_code == 403
    client.force_login(city_manager)
    res = client.post("/comparison-runs/start/", {"as_of": "2025-06-15"})
    run = ComparisonRun.objects.get()
    assert res.status_code == 302 and res["Location"] == f"/comparison-runs/{run.pk}/"
    res = client.post("/comparison-runs/start/", {"as_of": "bad"}, follow=True)
    assert "YYYY-MM-DD" in res.content.decode()


@pytest.mark.django_db
def test_city_manager_edits_thresholds_and_average_wage(client, city_manager, caseworker):
    from enforcement.comparison.parameters import THRESHOLDS, load_parameters
    from enforcement.models import RuleParameterChange
    from wuhai_coverage.core.models import AverageWage

    client.force_login(caseworker)
    assert client.get("/comparison-runs/parameters/").status_code == 403
    client.force_login(city_manager)
    assert "registration_grace_days" in client.get("/comparison-runs/parameters/").content.decode()
    data = {name: str(th.default) for name, th in THRESHOLDS.items()}
    data.update(missed_min_gap="3", wage_year="2031", wage_value="9999.50", reason="2026年度核查口径调整")
    assert client.post("/comparison-runs/parameters/", data).status_code == 302
    assert RuleParameter.objects.get(name="missed_min_gap").value == 3
    assert AverageWage.objects.get(year=2031).value == Decimal("9999.50")
    # only the threshold that changed was written, with its history row
    assert list(RuleParameter.objects.values_list("name", flat=True)) == ["missed_min_gap"]
    change = RuleParameterChange.objects.get()
    assert (change.name, change.old_value, change.new_value) == ("missed_min_gap", 2, 3)
    assert (change.changed_by, change.reason) == (city_manager, "2026年度核查口径调整")
    page = client.get("/comparison-runs/parameters/").content.decode()
    assert "2026年度核查口径调整" in page

    bad = client.post("/comparison-runs/parameters/", {**data, "interruption_months": "2.5"})
    assert bad.status_code == 200 and "整数" in bad.content.decode()
    assert load_parameters(D).interruption_months == 3 and RuleParameterChange.objects.count() == 1


@pytest.mark.django_db
def test_a_threshold_edit_without_a_reason_is_refused(client, city_manager):
    from enforcement.comparison.parameters import THRESHOLDS

    client.force_login(city_manager)
    data = {name: str(th.default) for name, th in THRESHOLDS.items()}
    res = client.post("/comparison-runs/parameters/", {**data, "base_tolerance": "0.9"})
    assert res.status_code == 200 and "理由" in res.content.decode()
    assert not RuleParameter.objects.exists()
    # unchanged values need no reason (A alone, say)
    res = client.post("/comparison-runs/parameters/", {**data, "wage_year": "2030", "wage_value": "8000"})
    assert res.status_code == 302 and not RuleParameter.objects.exists()


# --- a real worker ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_comparison_run_on_a_real_worker(celery_worker, city_manager, client_for):
    import time

    w = World(D)
    w.market()
    res = client_for(city_manager).post("/api/v1/comparison-runs/", {"as_of": "2025-06-15"}, format="json")
    assert res.status_code == 202
    run_id = res.json()["id"]
    for _ in range(200):
        run = ComparisonRun.objects.get(pk=run_id)
        if run.status != "running":
            break
        time.sleep(0.1)
    assert run.status == "finished", run.error
    assert run.opened["enroll_employer"] == 1 and open_keys("enroll_employer")


@pytest.mark.django_db
def test_demo_loader_runs_the_comparison_once():
    from django.utils import timezone

    from enforcement.demo import run_demo_comparison

    w = World(timezone.localdate())
    w.market()
    assert "新开任务 1 件" in run_demo_comparison()
    assert "演示比对已运行" in run_demo_comparison()
    assert ComparisonRun.objects.count() == 1
