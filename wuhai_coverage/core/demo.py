"""Demo users, one per role and jurisdiction, with a shared password (demo only)."""
from __future__ import annotations

from wuhai_coverage.core.models import District, Street, User

DEMO_PASSWORD = "wuhai-demo-2020"
# username, role, district or street or department, label
DEMO_USERS = [
    ("manager", "city_manager", "", "市人社局管理人员"),
    ("haibowan", "district_caseworker", "150302", "海勃湾区经办人员"),
    ("hainan", "district_caseworker", "150303", "海南区经办人员"),
    ("wuda", "district_caseworker", "150304", "乌达区经办人员"),
    ("fenghuangling", "street_staff", "150302001", "凤凰岭街道工作人员"),
    ("lashengzhong", "street_staff", "150303001", "拉僧仲街道工作人员"),
    ("inspector", "inspector", "", "劳动保障监察员"),
    ("market", "partner", "market", "市场监管局（API）"),
    ("tax", "partner", "tax", "税务局（API）"),
    ("hrss", "partner", "hrss", "人社局业务系统（API）"),
]


def ensure_demo_users() -> list[User]:
    users = []
    for username, role, where, label in DEMO_USERS:
        user = User.objects.filter(username=username).first() or User(username=username)
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
    return users
