"""The interface in Simplified Chinese by default and in English once a user switches
(POST /i18n/setlang/); the English catalogue complete (no empty or fuzzy entry, the
committed .mo compiled from the committed .po, no msgid missing from it); notices
Chinese whatever the caseworker's language."""

from __future__ import annotations

import datetime as dt
import gettext
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from enforcement import notices, services
from enforcement.models import Notice, Task
from enrollment.models import RosterBatch
from tests.enforcement.comparison.comparison_world import World
from tests.factories import make_user

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
HAN = re.compile(r"[\u4e00-\u9fff]")


# --- a tiny .po reader (msgctxt, msgid, msgstr, flags; obsolete "#~" entries skipped) ---------


def _unquote(lines: list[str]) -> str:
    text = "".join(re.fullmatch(r'\s*"(.*)"\s*', line).group(1) for line in lines)
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def read_po(path: Path) -> list[dict]:
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip() and not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        entry: dict = {"flags": set(), "msgctxt": None}
        field = None
        parts: dict[str, list[str]] = {}
        for line in lines:
            if line.startswith("#,"):
                entry["flags"] |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif m := re.match(r"(msgctxt|msgid|msgstr) (.*)", line):
                field = m.group(1)
                parts[field] = [m.group(2)]
            else:
                parts[field].append(line)
        entry.update({k: _unquote(v) for k, v in parts.items()})
        entries.append(entry)
    return entries


def _key(entry: dict) -> tuple[str | None, str]:
    return entry["msgctxt"], entry["msgid"]


# --- pages in both languages ----------------------------------------------------------------


@pytest.fixture
def world(db, city_manager):
    """A finished comparison run that opened an employer task, which a street worker has
    been assigned and has phoned; a roster batch; the assessment of this year."""
    today = timezone.localdate()
    w = World(today)
    uscc = w.market()
    w.tax(uscc, h=5, w=30000)
    summary = w.run()
    task = Task.objects.get(subject_key=uscc)
    worker = make_user("street_staff", street="150302001")
    services.task_assign(task=task, actor=city_manager, assignee=worker)
    services.task_record_contact(task=task, actor=worker, channel="phone", outcome="refused")
    return {
        "task": task,
        "run": summary.run_id,
        "batch": RosterBatch.objects.order_by("pk").first().pk,
        "year": today.year,
        "worker": worker,
    }


def _in_english(client, user):
    client.force_login(user)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/dashboard/"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    return client


# url (formatted with the world), English words that must be there, Chinese that must not.
PAGES = [
    (
        "/dashboard/",  # the city manager's home: the city overview
        ["Dashboard", "Open tasks", "Overdue", "Whole city", "Sign out"],
        ["工作台", "在办任务", "已逾期", "全市", "退出"],
    ),
    (
        "/tasks/",
        ["Task queue", "Filter", "in total · showing 1–", "Unassigned"],
        ["任务队列", "筛选", "条 · 第 1–", "未分派"],
    ),
    (
        "/tasks/{task.pk}/",
        [
            "Rosters of each department compared",
            "Evidence",
            "Timeline",
            "Record contact",
            "Refused to enroll",
            "Employees with income tax withheld",
            "Issue a notice",
            "Dismiss",
        ],
        ["各部门名册比对", "比对依据", "办理记录", "记录联系", "拒绝参保", "个税扣缴人数", "不予处理"],
    ),
    (
        "/rosters/",
        ["Roster deliveries", "Market entity registrations", "Recent batches"],
        ["名册报送情况", "市场主体登记名册", "最近批次"],
    ),
    ("/rosters/{batch}/", ["Error report", "Snapshot date"], ["错误报告", "数据日期"]),
    (
        "/comparison-runs/",
        ["Comparison runs", "Run the comparison now", "Skipped rules"],
        ["比对运行", "立即运行比对", "跳过的规则"],
    ),
    (
        "/comparison-runs/{run}/",
        ["Per task kind", "Parameters and snapshots used"],
        ["各类任务", "所用参数与快照"],
    ),
    (
        "/assessment/?year={year}",
        ["district assessment ranking", "Employer coverage", "Department assessment", "Overall score"],
        ["年度各区考核排名", "用人单位参保率", "部门考核", "月度走势"],
    ),
    (
        "/assessment/districts/150302/?year={year}",
        ["assessment", "Calculation", "Weight"],
        ["年度考核", "计算过程", "权重"],
    ),
    ("/assessment/settings/", ["Assessment parameters", "Change history"], ["考核参数", "修改记录"]),
    ("/outreach/postings/", ["Publicity postings", "Community coverage"], ["宣传张贴", "社区覆盖"]),
]


@pytest.mark.parametrize("url,english,chinese", PAGES, ids=[p[0] for p in PAGES])
def test_given_english_chosen_when_a_page_loads_then_it_is_in_english(
    world, client, city_manager, url, english, chinese
):
    page = _in_english(client, city_manager).get(url.format(**world))
    body = page.content.decode()
    assert page.status_code == 200 and '<html lang="en">' in body
    for word in english:
        assert word in body, word
    for word in chinese:
        assert word not in body, word


@pytest.mark.parametrize("url,english,chinese", PAGES, ids=[p[0] for p in PAGES])
def test_given_no_language_chosen_when_a_page_loads_then_it_is_in_chinese(
    world, client, city_manager, url, english, chinese
):
    client.force_login(city_manager)
    page = client.get(url.format(**world))
    body = page.content.decode()
    assert page.status_code == 200 and '<html lang="zh-hans">' in body
    for word in chinese:
        assert word in body, word
    assert "Sign out" not in body and "Whole city" not in body


def test_given_english_when_a_street_worker_opens_the_visit_page_then_outcomes_are_english(world, client):
    body = _in_english(client, world["worker"]).get(f"/tasks/{world['task'].pk}/visit/").content.decode()
    assert "Home visit" in body and "Refused to enroll" in body and "Tap an outcome to save" in body
    assert "上门走访" not in body and "点选结果即保存" not in body


def test_given_english_when_switching_back_to_chinese_then_pages_are_chinese_again(
    world, client, city_manager
):
    c = _in_english(client, city_manager)
    assert "Task queue" in c.get("/tasks/").content.decode()
    c.post("/i18n/setlang/", {"language": "zh-hans", "next": "/tasks/"})
    body = c.get("/tasks/").content.decode()
    assert "任务队列" in body and '<html lang="zh-hans">' in body


def test_given_english_when_a_notice_is_issued_then_the_notice_is_still_chinese(
    world, client, city_manager, monkeypatch
):
    monkeypatch.setattr(notices, "render_pdf", lambda notice: notices.render_html(notice).encode())
    task = world["task"]
    deadline = timezone.localdate() + dt.timedelta(days=15)
    response = _in_english(client, city_manager).post(
        f"/tasks/{task.pk}/notice/",
        {"kind": "enrollment", "deadline": deadline.isoformat(), "issuing_office": ""},
    )
    assert response.status_code == 302
    notice = Notice.objects.get(task=task)
    assert "经社会保险数据比对（未参保企业抓参保）" in notice.facts and "个税扣缴人数：5" in notice.facts
    assert "Unenrolled employer" not in notice.facts and "Employees" not in notice.facts
    html = notice.pdf.read().decode()
    assert "参保告知书" in html and "一、比对发现的事实" in html and "Enrollment notice" not in html
    # …and the task page around it is still English.
    assert "Notice issued" in client.get(f"/tasks/{task.pk}/").content.decode()


# --- the catalogue ------------------------------------------------------------------------------


def test_the_english_catalogue_has_no_untranslated_or_fuzzy_entry():
    entries = read_po(PO)
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == "" and "Language: en" in header["msgstr"] and "fuzzy" not in header["flags"]
    assert len(messages) > 500
    assert [_key(e) for e in messages if "fuzzy" in e["flags"]] == []
    assert [_key(e) for e in messages if not e["msgstr"].strip()] == []
    assert [_key(e) for e in messages if HAN.search(e["msgstr"])] == []  # English, not Chinese
    for e in messages:  # placeholders kept
        if "python-format" in e["flags"]:
            assert sorted(re.findall(r"%\(\w+\)s|%%", e["msgid"])) == sorted(
                re.findall(r"%\(\w+\)s|%%", e["msgstr"])
            ), e["msgid"]


def test_the_committed_mo_is_compiled_from_the_committed_po():
    """A machine without msgfmt uses the committed .mo: it must say what the .po says."""
    with MO.open("rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog
    expected = {
        (f"{e['msgctxt']}\x04{e['msgid']}" if e["msgctxt"] else e["msgid"]): e["msgstr"]
        for e in read_po(PO)[1:]
    }
    assert {k: catalog.get(k) for k in expected} == expected


def test_makemessages_finds_no_msgid_missing_from_the_catalogue(tmp_path, monkeypatch, settings):
    """makemessages run over a copy of the sources (so the committed .po is left alone)
    yields exactly the committed msgids: nothing new to translate, nothing stale.
    GNU gettext is installed by scripts/setup_services.sh, so this never skips."""
    assert shutil.which("xgettext") and shutil.which("msgmerge"), "GNU gettext missing: run scripts/test.sh"
    base = Path(settings.BASE_DIR)
    src = tmp_path / "src"
    shutil.copytree(
        base,
        src,
        ignore=shutil.ignore_patterns(
            ".venv", "var", ".git", "__pycache__", ".pytest_cache", "node_modules", "*.mo", "test-results"
        ),
    )
    monkeypatch.chdir(src)
    settings.LOCALE_PATHS = [src / "locale"]
    call_command("makemessages", locale=["en"], ignore_patterns=[".venv", "var"], verbosity=0)
    extracted = {_key(e) for e in read_po(src / "locale" / "en" / "LC_MESSAGES" / "django.po")[1:]}
    committed = {_key(e) for e in read_po(PO)[1:]}
    assert sorted(extracted - committed, key=str) == []  # new msgids: run makemessages and translate
    assert sorted(committed - extracted, key=str) == []  # stale msgids left in the catalogue
