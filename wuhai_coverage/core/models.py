"""Regions, reference data, people and roles, and the personal-data access log."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    """区 — one of Wuhai's three districts; the 6-digit division code is the key."""

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("区")
        verbose_name_plural = _("区")

    def __str__(self) -> str:
        return f"{self.name}"


class Street(models.Model):
    """街道/乡镇 — statistical (NBS) 9-digit code."""

    code = models.CharField(_("街道代码"), max_length=9, primary_key=True)
    name = models.CharField(_("名称"), max_length=80)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="streets")

    class Meta:
        ordering = ["code"]
        verbose_name = _("街道/乡镇")
        verbose_name_plural = _("街道/乡镇")

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    """社区/村 — 12-digit code under its street."""

    code = models.CharField(_("社区代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=80)
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="communities")

    class Meta:
        ordering = ["code"]
        verbose_name = _("社区")
        verbose_name_plural = _("社区")

    def __str__(self) -> str:
        return self.name


class IndustrySection(models.Model):
    """GB/T 4754-2017 门类 (A–T)."""

    code = models.CharField(max_length=1, primary_key=True)
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["code"]
        verbose_name = _("行业门类")
        verbose_name_plural = _("行业门类")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class IndustryDivision(models.Model):
    """GB/T 4754-2017 大类, e.g. B06 — the section letter plus two digits."""

    code = models.CharField(max_length=3, primary_key=True)
    name = models.CharField(max_length=80)
    section = models.ForeignKey(IndustrySection, on_delete=models.PROTECT, related_name="divisions")

    class Meta:
        ordering = ["code"]
        verbose_name = _("行业大类")
        verbose_name_plural = _("行业大类")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class KeyIndustry(models.Model):
    """尘肺病重点行业: a division (B06) or a 4-digit class (B1110) prefix."""

    code = models.CharField(max_length=5, primary_key=True)
    name = models.CharField(max_length=80)
    group = models.CharField(max_length=40)

    class Meta:
        ordering = ["code"]
        verbose_name = _("尘肺病重点行业")
        verbose_name_plural = _("尘肺病重点行业")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AverageWage(models.Model):
    """A, the regional average monthly wage for contribution bases (计发基数), per year.

    Seeded from pension_parameters.json (inner_mongolia.pension_calculation_base_monthly),
    editable by a city manager."""

    year = models.PositiveSmallIntegerField(_("适用年度"), primary_key=True)
    value = models.DecimalField(_("月平均工资（元）"), max_digits=12, decimal_places=2)
    source = models.TextField(_("来源"), blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("平均工资")
        verbose_name_plural = _("平均工资")

    def __str__(self) -> str:
        return f"{self.year}: {self.value}"


class Role(models.TextChoices):
    CITY_MANAGER = "city_manager", _("市人社局管理人员")
    DISTRICT_CASEWORKER = "district_caseworker", _("区人社局经办人员")
    STREET_STAFF = "street_staff", _("街道/社区工作人员")
    INSPECTOR = "inspector", _("劳动保障监察员")
    PARTNER = "partner", _("合作部门")


class Department(models.TextChoices):
    MARKET = "market", _("市场监管局")
    TAX = "tax", _("税务局")
    CIVIL_AFFAIRS = "civil_affairs", _("民政局")
    POVERTY = "poverty", _("扶贫办")
    DISABILITY = "disability", _("残联")
    HEALTH = "health", _("卫健委")
    HOUSING = "housing", _("住建局")
    PUBLIC_SECURITY = "public_security", _("公安局")
    HRSS = "hrss", _("人社局业务系统")


class User(AbstractUser):
    """A person (or a partner department's system) with one role and its jurisdiction."""

    role = models.CharField(_("角色"), max_length=24, choices=Role.choices, blank=True)
    district = models.ForeignKey(
        District, verbose_name=_("所属区"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    street = models.ForeignKey(
        Street, verbose_name=_("所属街道"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.CharField(_("部门"), max_length=24, choices=Department.choices, blank=True)
    display_name = models.CharField(_("姓名"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                name="caseworker_has_district",
                condition=~models.Q(role="district_caseworker") | models.Q(district__isnull=False),
            ),
            models.CheckConstraint(
                name="street_staff_has_street",
                condition=~models.Q(role="street_staff") | models.Q(street__isnull=False),
            ),
            models.CheckConstraint(
                name="partner_has_department",
                condition=~models.Q(role="partner") | ~models.Q(department=""),
            ),
        ]

    def clean(self) -> None:
        from wuhai_coverage.core.roles import validate_jurisdiction

        try:
            validate_jurisdiction(
                role=self.role, district=self.district, street=self.street, department=self.department
            )
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    def __str__(self) -> str:
        return self.display_name or self.username


class AccessLog(models.Model):
    """Every reveal of a masked ID number or phone: who, what and when."""

    class Field(models.TextChoices):
        ID_NUMBER = "id_number", _("身份证号")
        PHONE = "phone", _("电话")

    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="access_logs")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    field = models.CharField(max_length=16, choices=Field.choices)
    subject_key = models.CharField(_("对象"), max_length=40, db_index=True)  # the first (or only) subject
    # Every subject of the reveal: one key for a page's reveal button, all the persons of an
    # API page for `reveal=true` (one entry per request, naming every subject revealed).
    subject_keys = models.JSONField(_("全部对象"), default=list, blank=True)
    context = models.CharField(_("来源页面"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")


class ApiToken(models.Model):
    """An API key of a partner system (or a staff script). The key is shown once, when
    issued; only its SHA-256 digest is stored, with its first characters to tell keys
    apart on the token page. A key works until it expires or is revoked."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    prefix = models.CharField(_("密钥前缀"), max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("签发时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("到期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, verbose_name=_("吊销人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["user__username", "-created_at"]
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.user.username} {self.prefix}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
