"""Demo users, one per role and jurisdiction, with a shared password (demo only), and the
guard that keeps them out of any database that is not a demo database."""

from __future__ import annotations

from collections.abc import Collection

from wuhai_coverage.core.models import District, Street, User
from wuhai_coverage.core.reference import read_csv
from wuhai_coverage.demodata.models import DemoMarker

DEMO_PASSWORD = "wuhai-demo-2020"
# username, role, district or street or department, label
DEMO_USERS = [
    ("manager", "city_manager", "", "市人社局管理人员"),
    ("haibowan", "district_caseworker", "150302", "海勃湾区经办人员"),
    ("hainan", "district_caseworker", "150303", "海南区经办人员"),
    ("wuda", "district_caseworker", "150304", "乌达区经办人员"),
    ("fenghuangling", "street_staff", "150302001", "凤凰岭街道工作人员"),
    ("lashengzhong", "street_staff", "150303001", "拉僧仲街道工作人员"),
    ("sandaokan", "street_staff", "150304002", "三道坎街道工作人员"),
    ("inspector", "inspector", "", "劳动保障监察员"),
    ("market", "partner", "market", "市场监管局（API）"),
    ("tax", "partner", "tax", "税务局（API）"),
    ("hrss", "partner", "hrss", "人社局业务系统（API）"),
]
# Every other street gets its own staff account too (issue 13: assigning is a dead end on
# a street without one): street_<street code>, named after the street.
STREET_USERNAME_PREFIX = "street_"


def street_demo_users() -> list[tuple[str, str, str, str]]:
    """The staff accounts of the streets that have no named demo account above."""
    named = {where for _u, role, where, _l in DEMO_USERS if role == "street_staff"}
    return [
        (f"{STREET_USERNAME_PREFIX}{row['code']}", "street_staff", row["code"], f"{row['name']}工作人员")
        for row in read_csv("wuhai_streets.csv")
        if row["code"] not in named
    ]


def all_demo_users() -> list[tuple[str, str, str, str]]:
    return [*DEMO_USERS, *street_demo_users()]


def is_demo_database() -> bool:
    """True when a demo load marked this database, or when it has no user at all (a fresh
    database: nothing to protect yet)."""
    return DemoMarker.objects.exists() or not User.objects.exists()


def ensure_demo_users(*, demo_user_ids: Collection[int] = ()) -> tuple[list[User], list[str]]:
    """Create the demo users that are missing. An existing user of a demo name is brought
    back to its demo role and password only when a demo load created it (its id in
    `demo_user_ids`); any other existing user is left exactly as it is.
    Returns (the demo users created or reset, the usernames left alone)."""
    users, kept = [], []
    for username, role, where, label in all_demo_users():
        user = User.objects.filter(username=username).first()
        if user is not None and user.pk not in demo_user_ids:
            kept.append(username)
            continue
        user = user or User(username=username)
        user.role, user.display_name = role, label
        user.district = user.street = None
        user.department = ""
        if role == "district_caseworker":
            user.district = District.objects.get(code=where)
        elif role == "street_staff":
            user.street = Street.objects.get(code=where)
            user.district = user.street.district
        elif role == "partner":
            user.department = where
        user.is_staff = role == "city_manager"
        user.set_password(DEMO_PASSWORD)
        user.save()
        users.append(user)
    return users, kept


def mark_demo_database(users: list[User]) -> DemoMarker:
    marker, _ = DemoMarker.objects.get_or_create(pk=1)
    marker.user_ids = sorted(set(marker.user_ids) | {u.pk for u in users})
    marker.save()
    return marker
