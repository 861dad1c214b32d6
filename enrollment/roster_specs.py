"""The roster contract (docs/spec/rosters.md) as data: one table of columns per kind.

Each column names its key, the Chinese headers accepted for it (aliases), its value
type, whether it is required and, for choices, the accepted values (English values
case-insensitively, Chinese values mapped to them). The reader, the validator and the
tests all work from these tables; nothing about a kind is written anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from enrollment.models import RosterKind

# Value types (enrollment/validation.py has one normaliser per type).
TEXT = "text"  # free text, ≤ 200 characters
USCC = "uscc"  # GB 32100-2015
ID_NUMBER = "id_number"  # GB 11643-1999, 15 → 18 digits
DISTRICT = "district"  # Wuhai district code or name
STREET = "street"  # NBS street code under the row's district
INDUSTRY = "industry"  # GB/T 4754-2017 code, '0610' → 'B0610'
PHONE = "phone"  # mainland mobile; a bad one is only a warning
INTEGER = "integer"  # integer ≥ 0
MONEY = "money"  # yuan, ≥ 0, ≤ 2 decimals, '1,234.50'
DATE = "date"
PERIOD = "period"  # month, stored as int YYYYMM
CHOICE = "choice"
BOOLEAN = "boolean"
PROJECT_CODE = "project_code"  # [A-Za-z0-9-]{1,40}

MAX_TEXT = 200  # characters; longer → too_long


@dataclass(frozen=True)
class Column:
    key: str
    type: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    # For CHOICE and BOOLEAN: accepted value (lower-cased) → stored value.
    choices: dict[str, str] = field(default_factory=dict)
    # Stored when the cell is empty or the column absent (NOT NULL columns with a default).
    default: str | None = None
    # Required only when another column of the row has one of these values.
    required_if: tuple[str, frozenset[str]] | None = None


@dataclass(frozen=True)
class KindSpec:
    kind: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # unique within a file after normalisation
    derive_person: bool = False  # birth_date and sex derived from id_number

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def choices(**groups: tuple[str, ...]) -> dict[str, str]:
    """choices(active=("存续", "在营")) → {"active": "active", "存续": "active", …}."""
    table: dict[str, str] = {}
    for value, synonyms in groups.items():
        for word in (value, *synonyms):
            table[word.lower()] = value
    return table


# Accepted in every kind (rosters.md → Identifiers).
DISTRICT_ALIASES = ("区划代码", "区县代码", "所属区县")
STREET_ALIASES = ("街道代码", "乡镇街道代码")
PHONE_ALIASES = ("联系电话", "手机号码")


def district(required: bool, *extra: str) -> Column:
    aliases = tuple(dict.fromkeys((*extra, *DISTRICT_ALIASES)))
    return Column("district_code", DISTRICT, required, aliases)


def street(required: bool) -> Column:
    return Column("street_code", STREET, required, STREET_ALIASES)


SPECS: dict[str, KindSpec] = {}


def _spec(kind: str, key: tuple[str, ...], *columns: Column, derive_person: bool = False) -> None:
    SPECS[kind] = KindSpec(kind=kind, columns=columns, key=key, derive_person=derive_person)


_spec(
    RosterKind.MARKET_ENTITIES,
    ("uscc",),
    Column("uscc", USCC, True, ("统一社会信用代码", "信用代码")),
    Column("name", TEXT, True, ("名称", "企业名称", "单位名称", "字号名称")),
    Column(
        "entity_type",
        CHOICE,
        True,
        ("主体类型", "市场主体类型"),
        choices(
            enterprise=("企业", "有限责任公司", "股份有限公司", "个人独资企业", "合伙企业"),
            individual=("个体工商户",),
            coop=("农民专业合作社",),
            branch=("分支机构",),
        ),
    ),
    Column(
        "status",
        CHOICE,
        True,
        ("登记状态", "经营状态"),
        choices(
            active=("存续", "在营", "开业"),
            suspended=("停业", "歇业"),
            deregistered=("注销", "迁出"),
            revoked=("吊销",),
        ),
    ),
    Column("established_on", DATE, True, ("成立日期",)),
    district(True, "所属区划代码", "区县代码"),
    street(False),
    Column("industry_code", INDUSTRY, False, ("行业代码",)),
    Column("legal_representative", TEXT, False, ("法定代表人", "经营者")),
    Column("address", TEXT, False, ("住所", "经营场所")),
    Column("phone", PHONE, False, PHONE_ALIASES),
    Column("employees_reported", INTEGER, False, ("从业人数",)),
)

_spec(
    RosterKind.TAX_PAYROLL,
    ("uscc", "period"),
    Column("uscc", USCC, True, ("纳税人识别号", "统一社会信用代码")),
    Column("name", TEXT, True, ("纳税人名称",)),
    Column("period", PERIOD, True, ("所属期", "税款所属期")),
    Column("payroll_headcount", INTEGER, True, ("扣缴人数", "代扣代缴人数")),
    Column("payroll_total", MONEY, True, ("工资薪金总额", "收入总额")),
    district(False, "主管税务机关区划代码", "区县代码"),
)

_spec(
    RosterKind.CIVIL_AFFAIRS,
    ("id_number", "category", "valid_from"),
    Column("id_number", ID_NUMBER, True, ("身份证号", "公民身份号码")),
    Column("name", TEXT, True, ("姓名",)),
    Column("category", CHOICE, True, ("救助类别", "类别"), choices(dibao=("低保",), tekun=("特困",))),
    Column("valid_from", DATE, True, ("起始日期",)),
    Column("valid_to", DATE, False, ("终止日期",)),
    district(True),
    street(False),
    derive_person=True,
)

_spec(
    RosterKind.POVERTY_REGISTRY,
    ("id_number",),
    Column("id_number", ID_NUMBER, True, ("身份证号",)),
    Column("name", TEXT, True, ("姓名",)),
    Column(
        "status",
        CHOICE,
        True,
        ("状态", "脱贫状态"),
        choices(active=("未脱贫", "建档立卡"), exited=("已脱贫", "已退出")),
    ),
    district(True),
    street(False),
    derive_person=True,
)

_spec(
    RosterKind.DISABILITY_REGISTRY,
    ("id_number",),
    Column("id_number", ID_NUMBER, True, ("身份证号", "残疾人证号前18位")),
    Column("name", TEXT, True, ("姓名",)),
    Column(
        "disability_level",
        CHOICE,
        True,
        ("残疾等级",),
        {"1": "1", "2": "2", "3": "3", "4": "4", "一级": "1", "二级": "2", "三级": "3", "四级": "4"},
    ),
    district(True),
    street(False),
    derive_person=True,
)

_spec(
    RosterKind.DUST_HAZARD,
    ("uscc",),
    Column("uscc", USCC, True, ("统一社会信用代码",)),
    Column("name", TEXT, True, ("用人单位名称",)),
    Column("hazard_factor", TEXT, True, ("危害因素",)),
    Column("exposed_workers", INTEGER, True, ("接触人数",)),
    Column("industry_code", INDUSTRY, False, ("行业代码",)),
)

_spec(
    RosterKind.CONSTRUCTION_PROJECTS,
    ("project_code",),
    Column("project_code", PROJECT_CODE, True, ("项目编号", "施工许可证号")),
    Column("project_name", TEXT, True, ("项目名称",)),
    Column("builder_uscc", USCC, True, ("施工单位信用代码",)),
    Column("builder_name", TEXT, True, ("施工单位名称",)),
    district(True),
    Column("start_date", DATE, True, ("开工日期",)),
    Column("contract_amount", MONEY, False, ("合同金额",)),
    Column("planned_workers", INTEGER, False, ("用工人数",)),
)

_spec(
    RosterKind.HOUSEHOLD_REGISTRY,
    ("id_number",),
    Column("id_number", ID_NUMBER, True, ("公民身份号码", "身份证号")),
    Column("name", TEXT, True, ("姓名",)),
    district(True),
    street(True),
    Column("community", TEXT, False, ("社区", "居委会")),
    Column("phone", PHONE, False, PHONE_ALIASES),
    derive_person=True,
)

_spec(
    RosterKind.INSURANCE_EMPLOYERS,
    ("uscc",),
    Column("uscc", USCC, True, ("统一社会信用代码",)),
    Column("name", TEXT, True, ("单位名称",)),
    district(False),
    Column("insured_pension", INTEGER, True, ("养老参保人数",)),
    Column("insured_injury", INTEGER, True, ("工伤参保人数",)),
    Column("insured_unemployment", INTEGER, True, ("失业参保人数",)),
    Column("declared_base_total", MONEY, True, ("申报缴费基数总额",)),
    Column("arrears_amount", MONEY, False, ("欠费金额",), default="0"),
    Column("last_paid_period", PERIOD, False, ("最近缴费所属期",)),
)

_spec(
    RosterKind.INSURANCE_PERSONS,
    ("id_number", "insurance_type"),
    Column("id_number", ID_NUMBER, True, ("公民身份号码",)),
    Column("name", TEXT, True, ("姓名",)),
    Column(
        "insurance_type",
        CHOICE,
        True,
        ("险种",),
        choices(pension=("养老",), injury=("工伤",), unemployment=("失业",)),
    ),
    Column(
        "scheme",
        CHOICE,
        True,
        ("参保类型",),
        choices(employee=("企业职工",), flexible=("灵活就业",), resident=("城乡居民",)),
    ),
    Column(
        "status",
        CHOICE,
        True,
        ("参保状态",),
        choices(
            active=("正常", "参保缴费"),
            interrupted=("中断", "暂停缴费"),
            retired=("退休", "领取待遇"),
            terminated=("终止",),
        ),
    ),
    Column("employer_uscc", USCC, False, ("单位信用代码",)),
    # The column may be absent; the cell is required when status is active or interrupted.
    Column(
        "last_paid_period",
        PERIOD,
        False,
        ("最近缴费所属期",),
        required_if=("status", frozenset({"active", "interrupted"})),
    ),
    Column("contribution_base", MONEY, False, ("缴费基数",)),
    Column(
        "subsidized",
        BOOLEAN,
        False,
        ("政府代缴",),
        {"true": "t", "是": "t", "1": "t", "false": "f", "否": "f", "0": "f"},
        default="f",
    ),
    Column("phone", PHONE, False, PHONE_ALIASES),
    derive_person=True,
)

_spec(
    RosterKind.INSURANCE_PROJECTS,
    ("project_code",),
    Column("project_code", PROJECT_CODE, True, ("项目编号",)),
    Column("enrolled_on", DATE, True, ("参保日期",)),
)

assert set(SPECS) == set(RosterKind.values), "every roster kind has its column table"


def header_lookup(spec: KindSpec) -> dict[str, str]:
    """Every accepted header (lower-cased) → column key."""
    table: dict[str, str] = {}
    for col in spec.columns:
        for name in (col.key, *col.aliases):
            table[name.strip().lower()] = col.key
    return table
