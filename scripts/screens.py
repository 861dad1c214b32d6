"""Screenshots of every page, as each role sees it, at 1366 and 390 px wide.

Run by scripts/screens.sh (which starts the portal on the embedded demo); by hand:

    python scripts/screens.py --base http://127.0.0.1:8765 [--out var/screens] [--roles manager,…]
        [--widths 1366,390] [--only tasks,queue]

It reads the portal's database itself (DJANGO_SETTINGS_MODULE and the same environment
as the server) to pick a sample object for each URL with a parameter — a task, case,
person and employer of 凤凰岭街道 (150302001), so that every staff role below may see it.
It signs in as each demo user (wuhai_coverage/core/demo.py) and saves
<out>/<role>/<page>-<width>.png for every page that answers 200, and <out>/index.tsv:
role, page, URL, status. A GET page of the URLconf that is not in PAGES is reported at the
end (add it), so the walk cannot silently fall behind the portal.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuhai_coverage.settings")

import django  # noqa: E402

django.setup()

from django.urls import URLResolver, get_resolver  # noqa: E402
from playwright.sync_api import Error as PlaywrightError  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from wuhai_coverage.core.demo import DEMO_PASSWORD  # noqa: E402

STREET = "150302001"  # 凤凰岭街道: the demo's street with a staff account
DISTRICT = "150302"  # 海勃湾区
# role name in the output → demo username ("" = not signed in)
ROLES: dict[str, str] = {
    "anonymous": "",
    "city_manager": "manager",
    "district_caseworker": "haibowan",
    "street_staff": "fenghuangling",
    "inspector": "inspector",
    "partner": "market",
}


def _first(model_path: str, **filters) -> object | None:
    from django.apps import apps

    model = apps.get_model(model_path)
    return model.objects.filter(**filters).order_by("pk").first() or model.objects.order_by("pk").first()


def _pk(model_path: str, **filters) -> Callable[[], str | None]:
    def get() -> str | None:
        obj = _first(model_path, **filters)
        return str(obj.pk) if obj is not None else None

    return get


def _uscc() -> str | None:
    obj = _first("enrollment.Employer", street_id=STREET)
    return obj.uscc if obj is not None else None


def _indicator() -> str | None:
    from assessment import parameters

    return f"{DISTRICT}/{parameters.INDICATORS[0].code}"


# page name → (URL pattern as in the URLconf, the value of its one parameter or None)
PAGES: dict[str, tuple[str, Callable[[], str | None] | None]] = {
    "front": ("", None),
    "login": ("accounts/login/", None),
    "tokens": ("accounts/tokens/", None),
    "lockouts": ("accounts/lockouts/", None),
    "rosters": ("rosters/", None),
    "rosters-calendar": ("rosters/calendar/", None),
    "roster-batch": ("rosters/<int:pk>/", _pk("enrollment.RosterBatch", kind="market_entities")),
    "employers": ("employers/", None),
    "employer": ("employers/<str:uscc>/", _uscc),
    "persons": ("persons/", None),
    "person": ("persons/<int:pk>/", _pk("enrollment.Person", street_id=STREET)),
    "person-tasks": ("persons/<int:pk>/tasks/", _pk("enrollment.Person", street_id=STREET)),
    "runs": ("comparison-runs/", None),
    "runs-parameters": ("comparison-runs/parameters/", None),
    "run": ("comparison-runs/<int:pk>/", _pk("enforcement.ComparisonRun")),
    "dashboard": ("dashboard/", None),
    "queue": ("tasks/", None),
    "street-tasks": ("tasks/street/", None),
    "task": ("tasks/<int:pk>/", _pk("enforcement.Task", street_id=STREET, subject_type="employer")),
    "task-person": ("tasks/<int:pk>/", _pk("enforcement.Task", street_id=STREET, subject_type="person")),
    "task-visit": ("tasks/<int:pk>/visit/", _pk("enforcement.Task", street_id=STREET)),
    "cases": ("cases/", None),
    "case-new": ("cases/new/", None),
    "case": ("cases/<int:pk>/", _pk("enforcement.EnforcementCase")),
    "work-calendar": ("enforcement/calendar/", None),
    "blacklist": ("blacklist/", None),
    "blacklist-manage": ("blacklist/manage/", None),
    "blacklist-entry": ("blacklist/manage/<int:pk>/", _pk("enforcement.BlacklistEntry")),
    "postings": ("outreach/postings/", None),
    "posting-new": ("outreach/postings/new/", None),
    "disclosure-public": ("disclosure/", None),
    "disclosure": ("outreach/disclosure/", None),
    "disclosure-new": ("outreach/disclosure/new/", None),
    "events": ("outreach/events/", None),
    "event-new": ("outreach/events/new/", None),
    "event": ("outreach/events/<int:pk>/", _pk("outreach.OutreachEvent")),
    "calculator": ("calculator/", None),
    "calculator-parameters": ("calculator/parameters/", None),
    "sms": ("outreach/sms/", None),
    "sms-new": ("outreach/sms/new/", None),
    "sms-opt-outs": ("outreach/sms/opt-outs/", None),
    "sms-campaign": ("outreach/sms/<int:pk>/", _pk("outreach.SmsCampaign")),
    "ranking": ("assessment/", None),
    "assessment-settings": ("assessment/settings/", None),
    "assessment-district": ("assessment/districts/<str:code>/", lambda: DISTRICT),
    "assessment-indicator": ("assessment/districts/<str:code>/<str:indicator>/", _indicator),
    "api-docs": ("api/v1/docs/", None),
}
# GET patterns that are not pages: downloads, POST-only actions, the API, the admin.
NOT_PAGES = ("api/", "admin/", "i18n/", "healthz/", "accounts/logout/", "favicon.ico")
DOWNLOAD_SUFFIXES = (".pdf", ".xlsx", ".csv", "/photo/", "/document/", "/reveal/<str:field>/")
POST_ONLY_WORDS = (
    "/revoke/",
    "/issue/",  # a partner's new API key (POST; GET answers 405)
    "/call/",  # the street worker's logged phone reveal (POST; answers the tel: link)
    "/unlock/",
    "/start/",
    "/bulk-assign/",
    "/assign/",
    "/contact/",
    "/notice/",
    "/rectify/",
    "/dismiss/",
    "/escalate/",
    "/note/",
    "/take/",
    "/violations/",
    "/findings/",
    "/attachments/",
    "/order/",
    "/penalty-notice/",
    "/rectified/",
    "/outcome/",
    "/arrears/",
    "/delete/",
    "/send/",
    "<slug:step>",
    "photos/<int:pk>/",
    "/propose/",
)


def _patterns(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    out = []
    for p in (resolver or get_resolver()).url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            out.extend(["admin/"] if route == "admin/" else _patterns(p, route))
        else:
            out.append(route)
    return out


def unlisted_pages() -> list[str]:
    listed = {pattern for pattern, _ in PAGES.values()}
    return [
        p
        for p in _patterns()
        if p not in listed
        and not p.startswith(NOT_PAGES)
        and not p.endswith(DOWNLOAD_SUFFIXES)
        and not any(w in p for w in POST_ONLY_WORDS)
    ]


def _url(pattern: str, value: str) -> str:
    head, _sep, _rest = pattern.partition("<")
    tail = pattern[pattern.rindex(">") + 1 :] if ">" in pattern else ""
    return "/" + head + value + tail


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator(
        "form[action$='/accounts/login/'] button, form[action$='/accounts/login/'] [type=submit]"
    ).first.click()
    page.wait_for_load_state("networkidle")
    if "/accounts/login/" in page.url:
        raise SystemExit(f"could not sign in as {username}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default=os.environ.get("SCREENS_BASE", "http://127.0.0.1:8765"))
    ap.add_argument("--out", default=str(ROOT / "var" / "screens"))
    ap.add_argument("--roles", default=",".join(ROLES))
    ap.add_argument("--widths", default="1366,390")
    ap.add_argument("--only", default="", help="page names, comma separated (default: all)")
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    args = ap.parse_args()
    out = Path(args.out)
    widths = [int(w) for w in args.widths.split(",")]
    only = {n for n in args.only.split(",") if n}
    urls: dict[str, str | None] = {}
    for name, (pattern, param) in PAGES.items():
        if only and name not in only:
            continue
        if param is None:
            urls[name] = "/" + pattern
        else:
            value = param()
            urls[name] = _url(pattern, value) if value else None
    index = ["role\tpage\turl\tstatus"]
    shots = 0
    started = time.monotonic()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=args.chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        for role in args.roles.split(","):
            username = ROLES[role]
            context = browser.new_context(locale="zh-CN", viewport={"width": widths[0], "height": 900})
            page = context.new_page()
            if username:
                _sign_in(page, args.base, username)
            (out / role).mkdir(parents=True, exist_ok=True)
            for name, url in urls.items():
                if url is None:
                    index.append(f"{role}\t{name}\t-\tno sample object")
                    continue
                for width in widths:
                    page.set_viewport_size({"width": width, "height": 900 if width > 600 else 844})
                    try:
                        response = page.goto(args.base + url, wait_until="networkidle")
                    except PlaywrightError as exc:  # an empty error answer (405) is a navigation error
                        index.append(f"{role}\t{name}\t{url}\t{str(exc).splitlines()[0]}")
                        break
                    status = response.status if response is not None else 0
                    landed = page.url.removeprefix(args.base)
                    if status != 200 or (landed != url and landed.split("?")[0] == "/accounts/login/"):
                        index.append(f"{role}\t{name}\t{url}\t{status} → {landed}")
                        break  # refused: one line, no screenshot
                    page.screenshot(path=str(out / role / f"{name}-{width}.png"), full_page=True)
                    shots += 1
                else:
                    index.append(f"{role}\t{name}\t{url}\t200")
            context.close()
        browser.close()
    (out / "index.tsv").write_text("\n".join(index) + "\n", encoding="utf-8")
    print(f"{shots} screenshots in {out} ({time.monotonic() - started:.0f} s); index: {out / 'index.tsv'}")
    missing = unlisted_pages()
    if missing:
        print("GET pages of the URLconf not in scripts/screens.py PAGES:", *missing, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
