"""Roster intake and snapshots; employers, insured persons and their enrollments.

A pushed file becomes a RosterBatch; its valid rows are bulk-loaded into the row table
of its kind, keyed by (batch, natural key). A batch is a *snapshot*: the comparison
reads, per kind, the `loaded` batch with the greatest snapshot_date ≤ D (rosters.md).
Row tables carry no foreign-key constraint to the batch (a per-row FK check would
slow COPY); rows of a batch that is not `loaded` are never read.

Periods (YYYY-MM) are stored as integers YYYYMM so that month arithmetic is plain SQL
on PostgreSQL and SQLite alike: months(p) = (p / 100) * 12 + p % 100.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wuhai_coverage.core.models import Department, District, Street


class RosterKind(models.TextChoices):
    MARKET_ENTITIES = "market_entities", _("市场主体登记名册")
    TAX_PAYROLL = "tax_payroll", _("个税代扣代缴名册")
    CIVIL_AFFAIRS = "civil_affairs", _("低保特困人员名册")
    POVERTY_REGISTRY = "poverty_registry", _("建档立卡贫困人员名册")
    DISABILITY_REGISTRY = "disability_registry", _("残疾人名册")
    DUST_HAZARD = "dust_hazard", _("粉尘危害用人单位名册")
    CONSTRUCTION_PROJECTS = "construction_projects", _("在建工程项目名册")
    HOUSEHOLD_REGISTRY = "household_registry", _("户籍人口名册")
    INSURANCE_EMPLOYERS = "insurance_employers", _("参保单位名册")
    INSURANCE_PERSONS = "insurance_persons", _("参保人员名册")
    INSURANCE_PROJECTS = "insurance_projects", _("工程项目参保名册")


# Who may push which kind (rosters.md → Kinds).
KIND_DEPARTMENT: dict[str, str] = {
    RosterKind.MARKET_ENTITIES: Department.MARKET,
    RosterKind.TAX_PAYROLL: Department.TAX,
    RosterKind.CIVIL_AFFAIRS: Department.CIVIL_AFFAIRS,
    RosterKind.POVERTY_REGISTRY: Department.POVERTY,
    RosterKind.DISABILITY_REGISTRY: Department.DISABILITY,
    RosterKind.DUST_HAZARD: Department.HEALTH,
    RosterKind.CONSTRUCTION_PROJECTS: Department.HOUSING,
    RosterKind.HOUSEHOLD_REGISTRY: Department.PUBLIC_SECURITY,
    RosterKind.INSURANCE_EMPLOYERS: Department.HRSS,
    RosterKind.INSURANCE_PERSONS: Department.HRSS,
    RosterKind.INSURANCE_PROJECTS: Department.HRSS,
}


class RosterBatch(models.Model):
    class Status(models.TextChoices):
        PROCESSING = "processing", _("处理中")
        LOADED = "loaded", _("已入库")
        REJECTED = "rejected", _("整体退回")
        FAILED = "failed", _("处理失败")

    kind = models.CharField(_("名册类型"), max_length=32, choices=RosterKind.choices)
    department = models.CharField(_("报送部门"), max_length=24, choices=Department.choices)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PROCESSING)
    snapshot_date = models.DateField(_("数据日期"))
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    pushed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="roster_batches",
    )
    filename = models.CharField(_("文件名"), max_length=255, blank=True)
    file = models.FileField(_("原始文件"), upload_to="rosters/%Y/%m/", blank=True)
    size_bytes = models.BigIntegerField(_("文件大小"), default=0)
    sha256 = models.CharField(max_length=64)
    file_format = models.CharField(_("格式"), max_length=8, blank=True)  # csv / xlsx
    encoding = models.CharField(_("编码"), max_length=16, blank=True)
    allow_empty = models.BooleanField(default=False)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_loaded = models.PositiveIntegerField(_("入库行数"), default=0)
    rows_rejected = models.PositiveIntegerField(_("退回行数"), default=0)
    warnings = models.PositiveIntegerField(_("警告数"), default=0)
    rows_read = models.PositiveIntegerField(_("已读取行数"), default=0)  # progress while processing
    ignored_columns = models.JSONField(_("忽略的列"), default=list, blank=True)
    message = models.TextField(_("说明"), blank=True)
    rows_purged_at = models.DateTimeField(null=True, blank=True)  # retention dropped the rows
    # Set when a worker starts loading; a processing batch with started_at set whose
    # worker is gone (no advisory lock held) is stale: services.roster_fail_stale.
    started_at = models.DateTimeField(_("开始处理时间"), null=True, blank=True)
    # Times a worker started on it: a worker that died mid-file is retried, and after
    # services.MAX_ATTEMPTS the batch is failed with a reason (a file that kills its reader).
    attempts = models.PositiveSmallIntegerField(_("处理次数"), default=0)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("名册批次")
        verbose_name_plural = _("名册批次")
        constraints = [
            # The same file is one batch — unless that batch failed (its worker died):
            # then the department may push the file again.
            models.UniqueConstraint(
                fields=["kind", "sha256"],
                name="one_batch_per_kind_and_file",
                condition=~models.Q(status="failed"),
            ),
        ]
        indexes = [models.Index(fields=["kind", "status", "snapshot_date"], name="batch_current_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.snapshot_date})"


class RosterIssue(models.Model):
    """One error (row rejected) or warning (cell dropped) of a batch."""

    class Severity(models.TextChoices):
        ERROR = "error", _("错误")
        WARNING = "warning", _("警告")

    batch = models.ForeignKey(RosterBatch, on_delete=models.CASCADE, related_name="issues")
    row = models.PositiveIntegerField(_("行号"))
    column = models.CharField(_("列"), max_length=64, blank=True)
    code = models.CharField(_("代码"), max_length=32)
    message = models.TextField(_("说明"))
    severity = models.CharField(_("级别"), max_length=8, choices=Severity.choices)

    class Meta:
        ordering = ["batch", "row", "id"]
        indexes = [models.Index(fields=["batch", "severity", "row"], name="issue_batch_idx")]


# ---------------------------------------------------------------------------------------
# Snapshot rows, one table per kind. `batch` has no DB constraint (see module docstring).
# On PostgreSQL each table is partitioned by batch_id, one partition per loaded batch
# (enrollment.snapshots, migration 0005); the primary key leads with batch_id, so batch
# needs no index of its own.


def _batch_fk():
    return models.ForeignKey(
        RosterBatch, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )


class MarketEntityRow(models.Model):
    # The market roster's canonical values (rosters.md → market_entities); the reader maps
    # the department's Chinese spellings onto them (roster_specs).
    class EntityType(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        INDIVIDUAL = "individual", _("个体工商户")
        COOP = "coop", _("农民专业合作社")
        BRANCH = "branch", _("分支机构")

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("market status", "存续")
        SUSPENDED = "suspended", pgettext_lazy("market status", "停业")
        DEREGISTERED = "deregistered", pgettext_lazy("market status", "注销")
        REVOKED = "revoked", pgettext_lazy("market status", "吊销")

    pk = models.CompositePrimaryKey("batch_id", "uscc")
    batch = _batch_fk()
    uscc = models.CharField(max_length=18)
    name = models.CharField(max_length=200)
    entity_type = models.CharField(max_length=16, choices=EntityType.choices)
    status = models.CharField(max_length=16, choices=Status.choices)
    established_on = models.DateField()
    district_code = models.CharField(max_length=6)
    street_code = models.CharField(max_length=9, null=True)
    industry_code = models.CharField(max_length=5, null=True)  # normalised: section letter + digits
    legal_representative = models.CharField(max_length=200, null=True)
    address = models.CharField(max_length=200, null=True)
    phone = models.CharField(max_length=11, null=True)
    employees_reported = models.IntegerField(null=True)


class TaxPayrollRow(models.Model):
    pk = models.CompositePrimaryKey("batch_id", "uscc", "period")
    batch = _batch_fk()
    uscc = models.CharField(max_length=18)
    name = models.CharField(max_length=200)
    period = models.IntegerField()  # YYYYMM
    payroll_headcount = models.IntegerField()
    payroll_total = models.DecimalField(max_digits=16, decimal_places=2)
    district_code = models.CharField(max_length=6, null=True)


class CivilAffairsRow(models.Model):
    pk = models.CompositePrimaryKey("batch_id", "id_number", "category", "valid_from")
    batch = _batch_fk()
    id_number = models.CharField(max_length=18)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=8)  # dibao, tekun
    valid_from = models.DateField()
    valid_to = models.DateField(null=True)
    district_code = models.CharField(max_length=6)
    street_code = models.CharField(max_length=9, null=True)
    birth_date = models.DateField()  # derived from id_number
    sex = models.CharField(max_length=1)


class PovertyRow(models.Model):
    pk = models.CompositePrimaryKey("batch_id", "id_number")
    batch = _batch_fk()
    id_number = models.CharField(max_length=18)
    name = models.CharField(max_length=200)

    class Status(models.TextChoices):
        ACTIVE = "active", _("未脱贫")
        EXITED = "exited", _("已脱贫")

    status = models.CharField(max_length=8, choices=Status.choices)
    district_code = models.CharField(max_length=6)
    street_code = models.CharField(max_length=9, null=True)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1)


class DisabilityRow(models.Model):
    pk = models.CompositePrimaryKey("batch_id", "id_number")
    batch = _batch_fk()
    id_number = models.CharField(max_length=18)
    name = models.CharField(max_length=200)
    disability_level = models.SmallIntegerField()  # 1..4
    district_code = models.CharField(max_length=6)
    street_code = models.CharField(max_length=9, null=True)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1)


class DustHazardRow(models.Model):
    pk = models.CompositePrimaryKey("batch_id", "uscc")
    batch = _batch_fk()
    uscc = models.CharField(max_length=18)
    name = models.CharField(max_length=200)
    hazard_factor = models.CharField(max_length=200)
    exposed_workers = models.IntegerField()
    industry_code = models.CharField(max_length=5, null=True)


class ConstructionProjectRow(models.Model):
    pk = models.CompositePrimaryKey("batch_id", "project_code")
    batch = _batch_fk()
    project_code = models.CharField(max_length=40)
    project_name = models.CharField(max_length=200)
    builder_uscc = models.CharField(max_length=18)
    builder_name = models.CharField(max_length=200)
    district_code = models.CharField(max_length=6)
    start_date = models.DateField()
    contract_amount = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    planned_workers = models.IntegerField(null=True)


class HouseholdRow(models.Model):
    pk = models.CompositePrimaryKey("batch_id", "id_number")
    batch = _batch_fk()
    id_number = models.CharField(max_length=18)
    name = models.CharField(max_length=200)
    district_code = models.CharField(max_length=6)
    street_code = models.CharField(max_length=9)
    community = models.CharField(max_length=200, null=True)
    phone = models.CharField(max_length=11, null=True)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1)


class InsuranceEmployerRow(models.Model):
    pk = models.CompositePrimaryKey("batch_id", "uscc")
    batch = _batch_fk()
    uscc = models.CharField(max_length=18)
    name = models.CharField(max_length=200)
    district_code = models.CharField(max_length=6, null=True)
    insured_pension = models.IntegerField()
    insured_injury = models.IntegerField()
    insured_unemployment = models.IntegerField()
    declared_base_total = models.DecimalField(max_digits=16, decimal_places=2)
    arrears_amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    last_paid_period = models.IntegerField(null=True)  # YYYYMM


class InsurancePersonRow(models.Model):
    pk = models.CompositePrimaryKey("batch_id", "id_number", "insurance_type")
    batch = _batch_fk()
    id_number = models.CharField(max_length=18)
    name = models.CharField(max_length=200)
    insurance_type = models.CharField(max_length=16)  # pension, injury, unemployment
    scheme = models.CharField(max_length=16)  # employee, flexible, resident
    status = models.CharField(max_length=16)  # active, interrupted, retired, terminated
    employer_uscc = models.CharField(max_length=18, null=True)
    last_paid_period = models.IntegerField(null=True)  # YYYYMM
    contribution_base = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    subsidized = models.BooleanField(default=False)
    phone = models.CharField(max_length=11, null=True)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1)


class InsuranceProjectRow(models.Model):
    pk = models.CompositePrimaryKey("batch_id", "project_code")
    batch = _batch_fk()
    project_code = models.CharField(max_length=40)
    enrolled_on = models.DateField()


ROW_MODELS: dict[str, type[models.Model]] = {
    RosterKind.MARKET_ENTITIES: MarketEntityRow,
    RosterKind.TAX_PAYROLL: TaxPayrollRow,
    RosterKind.CIVIL_AFFAIRS: CivilAffairsRow,
    RosterKind.POVERTY_REGISTRY: PovertyRow,
    RosterKind.DISABILITY_REGISTRY: DisabilityRow,
    RosterKind.DUST_HAZARD: DustHazardRow,
    RosterKind.CONSTRUCTION_PROJECTS: ConstructionProjectRow,
    RosterKind.HOUSEHOLD_REGISTRY: HouseholdRow,
    RosterKind.INSURANCE_EMPLOYERS: InsuranceEmployerRow,
    RosterKind.INSURANCE_PERSONS: InsurancePersonRow,
    RosterKind.INSURANCE_PROJECTS: InsuranceProjectRow,
}


# ---------------------------------------------------------------------------------------
# The domain registry: employers, insured persons and their enrollments as of the last
# comparison run, refreshed set-based from the current snapshots (enrollment.registry).


class Employer(models.Model):
    """用人单位 — every uscc seen in a current market, tax or HRSS snapshot."""

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("单位名称"), max_length=200)
    entity_type = models.CharField(_("主体类型"), max_length=16, blank=True)
    market_status = models.CharField(_("登记状态"), max_length=16, blank=True)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    industry_code = models.CharField(_("行业代码"), max_length=5, blank=True)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey(Street, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payroll_headcount = models.IntegerField(_("扣缴人数"), default=0)
    enrolled = models.BooleanField(_("已参保"), default=False)
    insured_pension = models.IntegerField(_("养老参保人数"), default=0)
    insured_injury = models.IntegerField(_("工伤参保人数"), default=0)
    insured_unemployment = models.IntegerField(_("失业参保人数"), default=0)
    arrears_amount = models.DecimalField(_("欠费金额"), max_digits=16, decimal_places=2, default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uscc"]
        verbose_name = _("用人单位")
        verbose_name_plural = _("用人单位")
        indexes = [models.Index(fields=["district", "street"], name="employer_region_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.uscc})"


class Person(models.Model):
    """人员 — every ID number seen in a current household, registry or HRSS snapshot."""

    id_number = models.CharField(_("身份证号"), max_length=18, unique=True)
    name = models.CharField(_("姓名"), max_length=200)
    birth_date = models.DateField(_("出生日期"))
    sex = models.CharField(_("性别"), max_length=1)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey(Street, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    community = models.CharField(_("社区"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=11, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id_number"]
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        indexes = [models.Index(fields=["district", "street"], name="person_region_idx")]

    def __str__(self) -> str:
        return self.name


class Enrollment(models.Model):
    """One insurance type of a person (养老/工伤/失业), from the HRSS person roster."""

    class InsuranceType(models.TextChoices):
        PENSION = "pension", _("养老")
        INJURY = "injury", _("工伤")
        UNEMPLOYMENT = "unemployment", _("失业")

    class Scheme(models.TextChoices):
        EMPLOYEE = "employee", _("企业职工")
        FLEXIBLE = "flexible", _("灵活就业")
        RESIDENT = "resident", _("城乡居民")

    class Status(models.TextChoices):
        ACTIVE = "active", _("正常参保")
        INTERRUPTED = "interrupted", _("中断缴费")
        RETIRED = "retired", _("领取待遇")
        TERMINATED = "terminated", _("终止")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="enrollments")
    insurance_type = models.CharField(_("险种"), max_length=16, choices=InsuranceType.choices)
    scheme = models.CharField(_("参保类型"), max_length=16, choices=Scheme.choices)
    status = models.CharField(_("参保状态"), max_length=16, choices=Status.choices)
    employer_uscc = models.CharField(_("单位信用代码"), max_length=18, blank=True)
    last_paid_period = models.IntegerField(_("最近缴费所属期"), null=True, blank=True)
    contribution_base = models.DecimalField(
        _("缴费基数"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    subsidized = models.BooleanField(_("政府代缴"), default=False)

    class Meta:
        verbose_name = _("参保记录")
        verbose_name_plural = _("参保记录")
        constraints = [
            models.UniqueConstraint(fields=["person", "insurance_type"], name="one_enrollment_per_type"),
        ]
