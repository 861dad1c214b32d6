"""Loading the State Council's holiday notices into the calendar (fixtures/holidays_cn.json;
its meta block describes the format). Each day goes through `calendar_day_set`, so the
same rules and the same history apply as to a city manager's edit; the whole file is
one transaction — a bad entry loads nothing. Days already in the calendar and absent
from the file are left alone (a city manager may have added a local day)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from enforcement.models import WorkCalendarChange, WorkCalendarDay
from enforcement.workdays.services import CalendarError, calendar_day_set
from wuhai_coverage.core.models import User
from wuhai_coverage.core.text import in_site_language

MAX_PERIOD_DAYS = 31  # no notice gives a longer holiday: a longer range is a typo
MAKE_UP_SUFFIX = "调休"


@dataclass
class LoadResult:
    days: int = 0  # days in the file
    changed: int = 0  # days set or changed (the others were already so)
    unverified: list[str] = field(default_factory=list)  # "2026 元旦" for periods marked verified: false


def _date(value: object, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CalendarError(
            _("%(where)s：日期 %(value)s 应为 YYYY-MM-DD") % {"where": where, "value": value}
        ) from None


def _days(period: dict, where: str) -> list[tuple[dt.date, str, str]]:
    name = str(period.get("name") or "").strip()
    holiday = period.get("holiday") or []
    if not isinstance(holiday, list) or len(holiday) != 2:
        raise CalendarError(_("%(where)s：holiday 应为 [起始日, 结束日]") % {"where": where})
    first, last = _date(holiday[0], where), _date(holiday[1], where)
    if not 0 <= (last - first).days < MAX_PERIOD_DAYS:
        raise CalendarError(
            _("%(where)s：假期 %(first)s 至 %(last)s 不成立") % {"where": where, "first": first, "last": last}
        )
    days = [
        (first + dt.timedelta(days=i), WorkCalendarDay.Kind.HOLIDAY.value, name)
        for i in range((last - first).days + 1)
    ]
    days += [
        (_date(d, where), WorkCalendarDay.Kind.WORKDAY.value, f"{name}{MAKE_UP_SUFFIX}")
        for d in period.get("workdays") or []
    ]
    return days


@transaction.atomic
def holidays_load(*, data: dict, actor: User | None = None) -> LoadResult:
    """Set every day of every period of `data` (the parsed JSON)."""
    periods = data.get("periods") if isinstance(data, dict) else None
    if not isinstance(periods, list):
        raise CalendarError(_("文件中没有 periods 列表"))
    result = LoadResult()
    before = WorkCalendarChange.objects.count()
    for i, period in enumerate(periods, start=1):
        if not isinstance(period, dict):
            raise CalendarError(_("第 %(n)s 项不是对象") % {"n": i})
        where = _("第 %(n)s 项（%(name)s）") % {"n": i, "name": period.get("name", "")}
        for day, kind, name in _days(period, where):
            try:
                calendar_day_set(actor=actor, day=day, kind=kind, name=name)
            except CalendarError as exc:
                raise CalendarError(f"{where}：{exc}") from None
            result.days += 1
        if period.get("verified") is False:
            result.unverified.append(f"{period.get('year', '')} {period.get('name', '')}".strip())
    result.changed = WorkCalendarChange.objects.count() - before
    return result


def holidays_load_file(*, path: Path, actor: User | None = None) -> LoadResult:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CalendarError(
            _("无法读取 %(path)s：%(error)s") % {"path": path, "error": exc.strerror}
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CalendarError(_("%(path)s 不是有效的 JSON：%(error)s") % {"path": path, "error": exc}) from None
    return holidays_load(data=data, actor=actor)


@in_site_language
def load_demo_holidays(*, seed: int = 17, scale: float = 1.0) -> str:
    """Demo data: the holidays of the fixture (settings.DEMO_DATA_LOADERS)."""
    result = holidays_load_file(path=Path(settings.BASE_DIR) / "fixtures" / "holidays_cn.json")
    return _("工作日历：%(days)s 天（新设 %(changed)s 天）") % {
        "days": result.days,
        "changed": result.changed,
    }
