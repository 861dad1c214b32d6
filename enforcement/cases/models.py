"""The case file of an enforcement case (劳动保障监察案件): violations, audit findings,
attachments and the documents issued, plus the vocabulary of the case's timeline.

Imported at the end of enforcement/models.py, so that these models belong to the
enforcement app (app label "enforcement") and its one migration history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CaseEventKind(models.TextChoices):
    """What a CaseEvent records (`CaseEvent.kind`)."""

    OPENED = "opened", _("立案")
    INSPECTOR = "inspector", _("承办人变更")
    VIOLATION = "violation", _("认定违法行为")
    VIOLATION_WITHDRAWN = "violation_withdrawn", _("撤销违法行为认定")
    FINDING = "finding", _("稽核结果")
    ATTACHMENT = "attachment", _("上传证据材料")
    ORDER_ISSUED = "order_issued", _("下达限期改正指令")
    DOCUMENT = "document", _("制发文书")
    RECTIFIED = "rectified", _("已整改")
    UNRECTIFIED = "unrectified", _("逾期未整改")
    CLOSED = "closed", _("结案")
    NOTE = "note", _("备注")
    ARREARS_PERIOD = "arrears_period", _("核定欠费期间")
    PAYMENT = "payment", _("记录缴费")
    FINE = "fine", _("确定罚款金额")


class CaseOutcome(models.TextChoices):
    """How a case ended (`EnforcementCase.outcome_kind`)."""

    RECTIFIED = "rectified", _("已整改")
    PAID = "paid", _("已补缴")
    COURT = "court", _("申请法院强制执行")
    NO_VIOLATION = "no_violation", _("无违法行为")


class ViolationKind(models.TextChoices):
    NOT_ENROLLED = "not_enrolled", _("未依法办理社会保险登记（未参保）")
    SELECTIVE = "selective", _("选择性参保（未全员参保）")
    UNDER_DECLARED = "under_declared", _("未如实申报缴费基数")
    ARREARS = "arrears", _("未按时足额缴纳社会保险费（欠费）")
    REFUSED_AUDIT = "refused_audit", _("拒不配合社会保险稽核")


class FindingSource(models.TextChoices):
    AUDIT = "audit", _("稽核")
    JOINT = "joint", _("联合检查")
    THIRD_PARTY = "third_party", _("第三方审计")
    REPORT = "report", _("举报")


class CaseViolation(models.Model):
    """One violation the inspector holds the employer to (kept when withdrawn: a case file
    is never edited in place)."""

    Kind = ViolationKind

    case = models.ForeignKey(
        "enforcement.EnforcementCase", on_delete=models.CASCADE, related_name="violations"
    )
    kind = models.CharField(_("违法行为"), max_length=20, choices=ViolationKind.choices)
    period_from = models.DateField(_("起始时间"), null=True, blank=True)
    period_to = models.DateField(_("截止时间"), null=True, blank=True)
    description = models.TextField(_("情况说明"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("认定时间"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("撤销理由"), blank=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("违法行为")
        verbose_name_plural = _("违法行为")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_live_violation_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class CaseFinding(models.Model):
    """An audit finding: the verified headcount and monthly contribution base for a period,
    and where it comes from (稽核 / 联合检查 / 第三方审计 / 举报)."""

    Source = FindingSource

    case = models.ForeignKey(
        "enforcement.EnforcementCase", on_delete=models.CASCADE, related_name="case_findings"
    )
    source = models.CharField(_("来源"), max_length=12, choices=FindingSource.choices)
    period = models.DateField(_("所属期"), help_text=_("该月第一天"))
    verified_headcount = models.PositiveIntegerField(_("核定用工人数"))
    verified_monthly_base = models.DecimalField(
        _("核定月缴费基数合计（元）"), max_digits=14, decimal_places=2
    )
    declared_headcount = models.PositiveIntegerField(_("申报参保人数"), null=True, blank=True)
    declared_monthly_base = models.DecimalField(
        _("申报月缴费基数合计（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("说明"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["period", "recorded_at", "id"]
        verbose_name = _("稽核结果")
        verbose_name_plural = _("稽核结果")
        constraints = [
            models.CheckConstraint(name="finding_period_first_day", condition=Q(period__day=1)),
            models.CheckConstraint(
                name="finding_base_not_negative", condition=Q(verified_monthly_base__gte=0)
            ),
        ]


class CaseAttachment(models.Model):
    """Evidence (PDF / JPEG / PNG / XLSX), type-checked by its first bytes, size-limited,
    stored privately and downloaded only through the access-checked view."""

    case = models.ForeignKey(
        "enforcement.EnforcementCase", on_delete=models.CASCADE, related_name="attachments"
    )
    finding = models.ForeignKey(
        CaseFinding, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(upload_to="cases/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("证据材料")
        verbose_name_plural = _("证据材料")


class CaseDocumentKind(models.TextChoices):
    ORDER = "order", _("限期改正指令书")
    PENALTY_NOTICE = "penalty_notice", _("行政处罚事先告知书")


class CaseDocument(models.Model):
    """A document issued on a case, as an A4 PDF kept with it."""

    Kind = CaseDocumentKind

    case = models.ForeignKey(
        "enforcement.EnforcementCase", on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("文书类型"), max_length=16, choices=CaseDocumentKind.choices)
    number = models.CharField(_("文号"), max_length=60, unique=True)
    addressee = models.CharField(_("送达对象"), max_length=240)
    facts = models.TextField(_("事实"))
    legal_basis = models.TextField(_("法律依据"))
    decision = models.TextField(_("处理意见"))
    deadline = models.DateField(_("期限"), null=True, blank=True)
    issuing_office = models.CharField(_("发文机关"), max_length=120)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("制发时间"), auto_now_add=True)
    pdf = models.FileField(upload_to="case-documents/%Y/%m/", blank=True)

    class Meta:
        ordering = ["issued_at", "id"]
        verbose_name = _("案件文书")
        verbose_name_plural = _("案件文书")

    def __str__(self) -> str:
        return self.number


class CaseDocumentSequence(models.Model):
    """The per-year, per-kind counter behind case document numbers (乌人社监令〔2026〕0001号),
    advanced under a row lock like the notices' NoticeSequence."""

    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=CaseDocumentKind.choices)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "kind"], name="one_case_doc_sequence")]


class CaseArrearsPeriod(models.Model):
    """One period (费款所属期) of the case's arrears statement: the contributions owed,
    from an audit finding (verified base − declared base) × the rates, or entered."""

    case = models.ForeignKey(
        "enforcement.EnforcementCase", on_delete=models.CASCADE, related_name="arrears_periods"
    )
    period = models.CharField(_("费款所属期"), max_length=6)  # YYYYMM
    owed = models.DecimalField(_("应缴金额（元）"), max_digits=14, decimal_places=2)
    source = models.CharField(_("依据"), max_length=200)
    finding = models.ForeignKey(
        CaseFinding, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["period"]
        verbose_name = _("欠费期间")
        verbose_name_plural = _("欠费期间")
        constraints = [models.UniqueConstraint(fields=["case", "period"], name="one_arrears_row_per_period")]


class CasePayment(models.Model):
    """A payment the employer made towards the arrears (applied oldest period first)."""

    case = models.ForeignKey("enforcement.EnforcementCase", on_delete=models.CASCADE, related_name="payments")
    paid_on = models.DateField(_("缴费日期"))
    amount = models.DecimalField(_("缴费金额（元）"), max_digits=14, decimal_places=2)
    reference = models.CharField(_("凭证号"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "id"]
        verbose_name = _("缴费记录")
        verbose_name_plural = _("缴费记录")


class CaseFine(models.Model):
    """The fine chosen within the range of arts. 84/86 (1–3× the unpaid amount), with the
    statement it was chosen against."""

    case = models.ForeignKey("enforcement.EnforcementCase", on_delete=models.CASCADE, related_name="fines")
    amount = models.DecimalField(_("罚款金额（元）"), max_digits=14, decimal_places=2)
    unpaid = models.DecimalField(_("欠缴数额（元）"), max_digits=14, decimal_places=2)
    as_of = models.DateField(_("计算截止日"))
    reason = models.TextField(_("裁量理由"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("罚款裁量")
        verbose_name_plural = _("罚款裁量")
