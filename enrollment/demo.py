"""A generated, realistic Wuhai dataset: one loaded snapshot of every roster kind, with
the mismatches the comparison is there to find (unenrolled employers, headcount gaps,
selective enrollment, under-declared bases, arrears, key-industry employers, projects
without work-injury cover, people out of the pension system, interrupted payers,
subsidised groups). Deterministic for a seed; loading twice changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext

from enrollment.models import KIND_DEPARTMENT, RosterBatch, RosterKind
from enrollment.roster_specs import SPECS
from enrollment.services import roster_receive
from wuhai_coverage.core.models import Community, KeyIndustry, Street, User
from wuhai_coverage.core.validators import USCC_ALPHABET, ric_check_char, sex_of, uscc_check_char

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰海峰俊波辉鹏飞宇浩然晨阳博文雪梅亮斌鑫琳婷慧"
)
FIRMS = [
    "海勃湾",
    "乌达",
    "海南",
    "黄河",
    "甘德尔",
    "千里山",
    "桌子山",
    "乌兰",
    "金沙",
    "拉僧",
    "滨河",
    "新达",
    "星光",
    "鼎盛",
    "恒泰",
    "宏远",
]
TRADES = [
    ("煤业", "B0610"),
    ("矿业", "B1019"),
    ("洗煤", "B0620"),
    ("焦化", "C2521"),
    ("冶金", "C3110"),
    ("建材", "C3021"),
    ("水泥", "C3011"),
    ("商贸", "F5191"),
    ("餐饮", "H6210"),
    ("物流", "G5430"),
    ("建筑工程", "E4710"),
    ("化工", "C2614"),
    ("电力", "D4411"),
    ("汽车维修", "O8111"),
    ("石油", "B0711"),
    ("软件", "I6510"),
    ("宾馆", "H6110"),
    ("装饰", "E5010"),
]
FORMS = ["有限公司", "有限责任公司", "股份有限公司", "商贸部", "个体工商户", "农民专业合作社", "分公司"]
DISTRICT_WEIGHTS = {"150302": 0.45, "150303": 0.3, "150304": 0.25}


def _uscc(rng: random.Random, district: str, entity_type: str) -> str:
    head = {"individual": "92", "coop": "93", "branch": "91"}.get(entity_type, "91")
    body = head + district + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc_check_char(body)


def _person_id(rng: random.Random, district: str, birth: dt.date) -> str:
    first17 = f"{district}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + ric_check_char(first17)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('35789')}{rng.randint(0, 999999999):09d}"


def _period(d: dt.date, months_back: int) -> int:
    m = d.year * 12 + d.month - 1 - months_back
    return (m // 12) * 100 + m % 12 + 1


def generate(seed: int = 17, scale: float = 1.0, today: dt.date | None = None) -> dict[str, list[dict]]:
    """Rows per kind, as normalised values (what the intake would load)."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    streets = list(Street.objects.values_list("code", "district_id"))
    communities: dict[str, list[str]] = {}
    for name, street in Community.objects.values_list("name", "street_id"):
        communities.setdefault(street, []).append(name)
    key_codes = list(KeyIndustry.objects.values_list("code", flat=True))

    def pick_street() -> tuple[str, str]:
        district = rng.choices(list(DISTRICT_WEIGHTS), weights=list(DISTRICT_WEIGHTS.values()))[0]
        return district, rng.choice([s for s, d in streets if d == district])

    rows: dict[str, list[dict]] = {k: [] for k in RosterKind.values}
    n_employers = int(1500 * scale)
    seen_uscc: set[str] = set()
    for i in range(n_employers):
        district, street = pick_street()
        entity_type = rng.choices(["enterprise", "individual", "coop", "branch"], weights=[62, 28, 4, 6])[0]
        uscc = _uscc(rng, district, entity_type)
        if uscc in seen_uscc:
            continue
        seen_uscc.add(uscc)
        trade, industry = rng.choice(TRADES)
        form = {"individual": "个体工商户", "coop": "农民专业合作社", "branch": "分公司"}.get(
            entity_type, rng.choice(FORMS[:3])
        )
        name = (
            f"乌海市{rng.choice(FIRMS)}{trade}{form}"
            if entity_type != "individual"
            else f"海勃湾区{_name(rng)}{trade}店"
        )
        name = f"{name[: -len(form)]}{i}{form}" if entity_type != "individual" else name
        status = rng.choices(["active", "suspended", "deregistered", "revoked"], weights=[86, 5, 7, 2])[0]
        established = today - dt.timedelta(
            days=rng.choice([10, 25, 29, 30, 31, 60]) if i % 25 == 0 else rng.randint(90, 365 * 20)
        )
        size = 0 if entity_type == "individual" and rng.random() < 0.6 else int(rng.paretovariate(1.3) * 3)
        size = min(size, 900)
        rows[RosterKind.MARKET_ENTITIES].append(
            {
                "uscc": uscc,
                "name": name,
                "entity_type": entity_type,
                "status": status,
                "established_on": established,
                "district_code": district,
                "street_code": street if rng.random() > 0.05 else None,
                "industry_code": industry if rng.random() > 0.1 else None,
                "legal_representative": _name(rng),
                "address": f"乌海市{rng.choice(FIRMS)}路{rng.randint(1, 300)}号",
                "phone": _phone(rng) if rng.random() > 0.3 else None,
                "employees_reported": size if rng.random() > 0.2 else None,
            }
        )
        # Tax: most employers with staff withhold income tax for them.
        headcount = size
        wage = Decimal(rng.randint(3500, 12000))
        if status == "active" and headcount > 0 and rng.random() < 0.9:
            for back in (2, 1):
                rows[RosterKind.TAX_PAYROLL].append(
                    {
                        "uscc": uscc,
                        "name": name,
                        "period": _period(today, back),
                        "payroll_headcount": headcount,
                        "payroll_total": wage * headcount,
                        "district_code": district if rng.random() > 0.2 else None,
                    }
                )
        # HRSS: about 80 % of active employers with staff are enrolled, with planted gaps.
        if status == "active" and (headcount > 0 or entity_type != "individual") and rng.random() < 0.8:
            insured = headcount
            r = rng.random()
            if r < 0.12:
                insured = max(0, headcount - rng.randint(2, max(2, headcount // 3 + 2)))  # 漏保
            injury = unemployment = insured
            if rng.random() < 0.08:
                injury = max(0, insured - rng.randint(1, 3))  # 选择性参保
            declared = wage * insured * (Decimal("0.55") if rng.random() < 0.1 else Decimal("0.98"))
            arrears = Decimal(rng.randint(1000, 90000)) if rng.random() < 0.06 else Decimal(0)
            rows[RosterKind.INSURANCE_EMPLOYERS].append(
                {
                    "uscc": uscc,
                    "name": name,
                    "district_code": district,
                    "insured_pension": insured,
                    "insured_injury": injury,
                    "insured_unemployment": unemployment,
                    "declared_base_total": declared.quantize(Decimal("0.01")),
                    "arrears_amount": arrears,
                    "last_paid_period": _period(today, rng.choice([1, 1, 1, 2, 5])),
                }
            )
        if industry and any(industry.startswith(k) for k in key_codes) and rng.random() < 0.5:
            rows[RosterKind.DUST_HAZARD].append(
                {
                    "uscc": uscc,
                    "name": name,
                    "hazard_factor": rng.choice(["煤尘", "矽尘", "水泥尘", "电焊烟尘"]),
                    "exposed_workers": max(1, headcount // 2),
                    "industry_code": industry,
                }
            )
    # Organs and public institutions: in the tax roster, not market entities.
    for i in range(int(40 * scale)):
        district, _street = pick_street()
        body = "12" + district + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
        uscc = body + uscc_check_char(body)
        headcount = rng.randint(5, 120)
        name = (
            f"乌海市{rng.choice(FIRMS)}{rng.choice(['中学', '卫生院', '事业服务中心', '图书馆', '协会'])}{i}"
        )
        rows[RosterKind.TAX_PAYROLL].append(
            {
                "uscc": uscc,
                "name": name,
                "period": _period(today, 1),
                "payroll_headcount": headcount,
                "payroll_total": Decimal(6000 * headcount),
                "district_code": district,
            }
        )
        if rng.random() < 0.85:
            rows[RosterKind.INSURANCE_EMPLOYERS].append(
                {
                    "uscc": uscc,
                    "name": name,
                    "district_code": district,
                    "insured_pension": headcount,
                    "insured_injury": headcount,
                    "insured_unemployment": headcount,
                    "declared_base_total": Decimal(6000 * headcount),
                    "arrears_amount": Decimal(0),
                    "last_paid_period": _period(today, 1),
                }
            )

    # Construction projects.
    builders = [r for r in rows[RosterKind.MARKET_ENTITIES] if "建筑" in r["name"]] or rows[
        RosterKind.MARKET_ENTITIES
    ]
    for i in range(int(80 * scale)):
        b = rng.choice(builders)
        code = f"150{rng.randint(300, 304)}-{today.year - rng.randint(0, 2)}-{i:04d}"
        start = today + dt.timedelta(days=rng.randint(-700, 40))
        rows[RosterKind.CONSTRUCTION_PROJECTS].append(
            {
                "project_code": code,
                "project_name": f"{rng.choice(FIRMS)}{rng.choice(['住宅小区', '道路改造', '厂房', '学校'])}工程{i}",
                "builder_uscc": b["uscc"],
                "builder_name": b["name"],
                "district_code": b["district_code"],
                "start_date": start,
                "contract_amount": Decimal(rng.randint(50, 5000) * 10000),
                "planned_workers": rng.randint(10, 400),
            }
        )
        if rng.random() < 0.85:
            rows[RosterKind.INSURANCE_PROJECTS].append({"project_code": code, "enrolled_on": start})

    # Persons: household registry, HRSS person rows, assistance registries.
    n_persons = int(6000 * scale)
    ids: set[str] = set()
    for _ in range(n_persons):
        district, street = pick_street()
        age_days = rng.randint(0, 90 * 365)
        birth = today - dt.timedelta(days=age_days)
        pid = _person_id(rng, district, birth)
        if pid in ids:
            continue
        ids.add(pid)
        name = _name(rng)
        phone = _phone(rng) if rng.random() > 0.25 else None
        age = age_days // 365
        rows[RosterKind.HOUSEHOLD_REGISTRY].append(
            {
                "id_number": pid,
                "name": name,
                "district_code": district,
                "street_code": street,
                "community": rng.choice(communities.get(street, ["—"])),
                "phone": phone,
                "birth_date": birth,
                "sex": sex_of(pid),
            }
        )
        common = {"id_number": pid, "name": name, "phone": phone, "birth_date": birth, "sex": sex_of(pid)}
        if age >= 16:
            r = rng.random()
            if age >= 60:
                if r < 0.85:
                    rows[RosterKind.INSURANCE_PERSONS].append(
                        {
                            **common,
                            "insurance_type": "pension",
                            "scheme": rng.choice(["employee", "resident"]),
                            "status": "retired",
                            "employer_uscc": None,
                            "last_paid_period": None,
                            "contribution_base": None,
                            "subsidized": False,
                        }
                    )
            elif r < 0.62:
                scheme = rng.choices(["employee", "flexible", "resident"], weights=[60, 15, 25])[0]
                interrupted = rng.random() < 0.12
                back = rng.choice([4, 6, 14]) if interrupted else rng.choice([1, 2, 3])
                rows[RosterKind.INSURANCE_PERSONS].append(
                    {
                        **common,
                        "insurance_type": "pension",
                        "scheme": scheme,
                        "status": "interrupted" if interrupted and rng.random() < 0.6 else "active",
                        "employer_uscc": None,
                        "last_paid_period": _period(today, back),
                        "contribution_base": Decimal(rng.randint(4000, 12000)),
                        "subsidized": False,
                    }
                )
                if scheme == "employee":
                    rows[RosterKind.INSURANCE_PERSONS].append(
                        {
                            **common,
                            "insurance_type": "injury",
                            "scheme": "employee",
                            "status": "active",
                            "employer_uscc": None,
                            "last_paid_period": _period(today, 1),
                            "contribution_base": None,
                            "subsidized": False,
                        }
                    )
        # Assistance registries (about 7 % of adults).
        if 16 <= age < 75 and rng.random() < 0.07:
            which = rng.choice(["civil", "poverty", "disability"])
            base = {
                "id_number": pid,
                "name": name,
                "district_code": district,
                "street_code": street,
                "birth_date": birth,
                "sex": sex_of(pid),
            }
            if which == "civil":
                rows[RosterKind.CIVIL_AFFAIRS].append(
                    {
                        **base,
                        "category": rng.choice(["dibao", "tekun"]),
                        "valid_from": today - dt.timedelta(days=rng.randint(30, 2000)),
                        "valid_to": None
                        if rng.random() < 0.8
                        else today - dt.timedelta(days=rng.randint(1, 300)),
                    }
                )
            elif which == "poverty":
                rows[RosterKind.POVERTY_REGISTRY].append(
                    {**base, "status": rng.choice(["active", "active", "exited"])}
                )
            else:
                rows[RosterKind.DISABILITY_REGISTRY].append({**base, "disability_level": rng.randint(1, 4)})
    return rows


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def roster_file(kind: str, items: list[dict]) -> bytes:
    """The rows as the department would send them: CSV with the first Chinese header of
    each column (the key where there is none), GB18030 like an Excel export on Windows."""
    columns = SPECS[kind].columns
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([c.aliases[0] if c.aliases else c.key for c in columns])
    for item in items:
        writer.writerow([_cell(item.get(c.key)) for c in columns])
    return buf.getvalue().encode("gb18030")


def load_demo_rosters(*, seed: int = 17, scale: float = 1.0, today: dt.date | None = None) -> str:
    """Generate the rosters and push each through the real intake (read, check, load),
    as the department's partner account where the demo has one."""
    today = today or timezone.localdate()
    if RosterBatch.objects.filter(filename__startswith="demo-").exists():
        return gettext("演示名册已存在")
    rows = generate(seed=seed, scale=scale, today=today)
    partners = {u.department: u for u in User.objects.filter(role="partner")}
    lines = []
    for kind, items in rows.items():
        upload = SimpleUploadedFile(f"demo-{kind}.csv", roster_file(kind, items), content_type="text/csv")
        batch, _ = roster_receive(
            kind=kind,
            upload=upload,
            pushed_by=partners.get(KIND_DEPARTMENT[kind]),
            snapshot_date=today - dt.timedelta(days=1),
            allow_empty=True,
            in_process=True,
        )  # a command: the comparison that follows needs them
        lines.append(
            gettext("  %(roster)s：载入 %(loaded)s 行，退回 %(rejected)s 行（%(status)s）")
            % {
                "roster": RosterKind(kind).label,
                "loaded": batch.rows_loaded,
                "rejected": batch.rows_rejected,
                "status": batch.get_status_display(),
            }
        )
    return gettext("演示名册：") + "\n" + "\n".join(lines)
