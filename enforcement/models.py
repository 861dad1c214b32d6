"""The comparison's runs and parameters, inspection tasks and their timeline, notices,
enforcement cases (including arrears), and the credit blacklist."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enforcement.blacklist.vocabulary import EventKind as BlacklistEventKind
from enforcement.blacklist.vocabulary import Violation as BlacklistViolation

# The kinds' vocabulary is declared with the kinds (enforcement/kinds.py), re-exported here.
from enforcement.kinds import CaseType as CaseType
from enforcement.kinds import NoticeKind as NoticeKind
from enforcement.kinds import SubjectType as SubjectType
from enforcement.kinds import TaskKind as TaskKind
from wuhai_coverage.core.models import District, Street


class RuleParameter(models.Model):
    """A threshold of comparison.md, editable by a city manager; each run records the
    values it used. The thresholds and their defaults: enforcement/comparison/parameters.py;
    every edit leaves a `RuleParameterChange`."""

    name = models.CharField(_("参数"), max_length=40, primary_key=True)
    value = models.DecimalField(_("取值"), max_digits=12, decimal_places=4)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("比对参数")
        verbose_name_plural = _("比对参数")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class RuleParameterChange(models.Model):
    """The history of the thresholds: who changed which, when, from what to what, and why."""

    name = models.CharField(_("参数"), max_length=40, db_index=True)
    old_value = models.DecimalField(_("原值"), max_digits=12, decimal_places=4, null=True, blank=True)
    new_value = models.DecimalField(_("新值"), max_digits=12, decimal_places=4)
    reason = models.TextField(_("修改理由"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("修改时间"), auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("比对参数修改记录")
        verbose_name_plural = _("比对参数修改记录")

    def __str__(self) -> str:
        return f"{self.name}: {self.old_value} → {self.new_value}"


class ComparisonRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("运行中")
        FINISHED = "finished", _("已完成")
        FAILED = "failed", _("失败")

    as_of = models.DateField(_("比对日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    duration_s = models.FloatField(_("耗时（秒）"), null=True, blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    trigger = models.CharField(
        _("触发方式"), max_length=16, default="manual"
    )  # beat, command, api, portal, demo
    parameters = models.JSONField(_("参数"), default=dict)
    snapshots = models.JSONField(_("所用快照"), default=dict)  # kind -> batch id / date
    progress = models.JSONField(_("进度"), default=dict)  # {"done": n, "total": n, "current": rule}
    opened = models.JSONField(_("新开任务"), default=dict)
    closed = models.JSONField(_("关闭任务"), default=dict)
    open = models.JSONField(_("在办任务"), default=dict)
    skipped = models.JSONField(_("跳过的规则"), default=list)
    rule_seconds = models.JSONField(_("各规则耗时"), default=dict)
    error = models.TextField(_("错误"), blank=True)
    # A forced run executes every rule the guards allow, even one whose inputs are unchanged.
    forced = models.BooleanField(_("强制全部重算"), default=False)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("比对运行")
        verbose_name_plural = _("比对运行")
        constraints = [
            # Only one run at a time — enforced by the database too.
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="running"), name="one_running_comparison"
            ),
        ]

    @staticmethod
    def _total(counts: dict | None) -> int:
        return sum(int(v) for v in (counts or {}).values())

    @property
    def total_opened(self) -> int:
        return self._total(self.opened)

    @property
    def total_closed(self) -> int:
        return self._total(self.closed)

    @property
    def total_open(self) -> int:
        return self._total(self.open)


class RuleRun(models.Model):
    """What one rule did in one run, and the inputs it read (its fingerprint): the batch of
    each roster kind, the date where the rule depends on it, a hash of the parameters and of
    its statement, and the state of its tasks after the run. A rule whose fingerprint equals
    that of its last execution is not executed again (`unchanged`): comparison/inputs.py."""

    class Status(models.TextChoices):
        EXECUTED = "executed", _("已执行")
        UNCHANGED = "unchanged", _("未变化，跳过")
        GUARDED = "guarded", _("数据不足，跳过")

    run = models.ForeignKey(ComparisonRun, on_delete=models.CASCADE, related_name="rule_runs")
    kind = models.CharField(_("任务类型"), max_length=32, choices=TaskKind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    inputs = models.JSONField(_("所读输入"), default=dict)
    opened = models.PositiveIntegerField(default=0)
    refreshed = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["run_id", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "kind"], name="one_rule_run_per_kind")]
        # The last execution of a kind: WHERE kind = … AND status = 'executed' ORDER BY run DESC.
        indexes = [models.Index(fields=["kind", "status", "-run"], name="rule_run_last_idx")]


class Task(models.Model):
    SubjectType = SubjectType

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        ASSIGNED = "assigned", _("已分派")
        CONTACTED = "contacted", _("已联系")
        NOTICE_ISSUED = "notice_issued", _("已发告知书")
        ESCALATED = "escalated", _("已移交执法")
        CLOSED = "closed", _("已关闭")

    class Resolution(models.TextChoices):
        RECTIFIED = "rectified", _("已整改")
        RESOLVED_BY_DATA = "resolved_by_data", _("数据比对已消除")
        DISMISSED = "dismissed", _("不予处理")

    class Priority(models.TextChoices):
        HIGH = "high", _("高")
        NORMAL = "normal", _("普通")

    kind = models.CharField(_("任务类型"), max_length=32, choices=TaskKind.choices)
    subject_type = models.CharField(_("对象类型"), max_length=10, choices=SubjectType.choices)
    subject_key = models.CharField(_("对象编码"), max_length=40)
    subject_name = models.CharField(_("对象名称"), max_length=200, blank=True)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey(Street, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    priority = models.CharField(_("优先级"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    resolution = models.CharField(_("办结方式"), max_length=20, choices=Resolution.choices, blank=True)
    evidence = models.JSONField(_("比对依据"), default=dict)
    opened_at = models.DateTimeField(_("生成时间"))
    refreshed_at = models.DateTimeField(_("最近比对"), null=True, blank=True)
    due_date = models.DateField(_("办理期限"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tasks",
    )
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    # The run that opened / last changed the task: bookkeeping written only by the comparison,
    # with the id of the run it is executing. No database constraint nor index: each would be
    # maintained (an RI trigger, an index entry) for every one of the ~131 k tasks a first run
    # writes at Wuhai size, and nothing reads tasks by run on PostgreSQL (the engine's writes
    # take the ids they change from RETURNING). SET_NULL on a run's deletion is Django's.
    opened_by_run = models.ForeignKey(
        ComparisonRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    last_run = models.ForeignKey(
        ComparisonRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("核查任务")
        verbose_name_plural = _("核查任务")
        constraints = [
            # At most one task that is not closed per (kind, subject) — comparison.md.
            models.UniqueConstraint(
                fields=["kind", "subject_key"],
                condition=~Q(status="closed"),
                name="one_open_task_per_kind_subject",
            ),
            models.CheckConstraint(
                name="closed_task_has_resolution",
                condition=(Q(status="closed") & ~Q(resolution="")) | (~Q(status="closed") & Q(resolution="")),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "district", "street"], name="task_queue_idx"),
            models.Index(fields=["kind", "status"], name="task_kind_status_idx"),
            models.Index(fields=["subject_key"], name="task_subject_idx"),
            models.Index(fields=["due_date"], name="task_due_idx"),
            # The caseworker's queue (portal): partial indexes over tasks that are not
            # closed, in the queue's default order, so that a page is a short index scan.
            models.Index(
                fields=["district", "kind", "-opened_at", "-id"],
                condition=~Q(status="closed"),
                name="task_active_district_kind_idx",
            ),
            models.Index(
                fields=["district", "-opened_at", "-id"],
                condition=~Q(status="closed"),
                name="task_active_district_idx",
            ),
            models.Index(
                fields=["street", "kind", "-opened_at", "-id"],
                condition=~Q(status="closed"),
                name="task_active_street_idx",
            ),
            models.Index(
                fields=["-opened_at", "-id"], condition=~Q(status="closed"), name="task_active_opened_idx"
            ),
            # The queue's other sorts (priority, due date, name) within a district and city-wide.
            models.Index(
                fields=["district", "priority", "-opened_at", "-id"],
                condition=~Q(status="closed"),
                name="task_active_district_prio_idx",
            ),
            models.Index(
                fields=["priority", "-opened_at", "-id"],
                condition=~Q(status="closed"),
                name="task_active_prio_idx",
            ),
            models.Index(
                fields=["district", "due_date", "-id"],
                condition=~Q(status="closed"),
                name="task_active_district_due_idx",
            ),
            # The due-date sort city-wide (a city manager) and on a street (street staff).
            models.Index(
                fields=["due_date", "-id"], condition=~Q(status="closed"), name="task_active_due_idx"
            ),
            models.Index(
                fields=["street", "due_date", "-id"],
                condition=~Q(status="closed"),
                name="task_active_street_due_idx",
            ),
            # The name search's GIN index over the names' bigrams is PostgreSQL-only and made
            # by migration 0007_portalperf_queue_search (enforcement/search.py).
            models.Index(
                fields=["district", "subject_name", "-id"],
                condition=~Q(status="closed"),
                name="task_active_district_name_idx",
            ),
            models.Index(
                fields=["subject_name", "-id"], condition=~Q(status="closed"), name="task_active_name_idx"
            ),
            # Text search by a USCC / ID prefix (LIKE 'prefix%' needs the pattern opclass).
            models.Index(
                fields=["subject_key"],
                opclasses=["varchar_pattern_ops"],
                condition=~Q(status="closed"),
                name="task_active_key_prefix_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.subject_name or self.subject_key}"


class TaskEvent(models.Model):
    """The timeline: every change to a task, with who (null = the comparison) and when."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("生成")
        REFRESHED = "refreshed", _("比对更新")
        ASSIGNED = "assigned", _("分派")
        CONTACTED = "contacted", _("联系记录")
        NOTICE_ISSUED = "notice_issued", _("发出告知书")
        RECTIFIED = "rectified", _("已整改")
        DISMISSED = "dismissed", _("不予处理")
        ESCALATED = "escalated", _("移交执法")
        CLOSED_BY_DATA = "closed_by_data", _("比对消除")
        SMS_SENT = "sms_sent", _("短信推送")
        NOTE = "note", _("备注")

    # Indexed by task_event_timeline_idx (task, at): no index of its own.
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The comparison run that wrote the event (null: staff): bookkeeping, like Task.last_run.
    run = models.ForeignKey(
        ComparisonRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["task", "at"], name="task_event_timeline_idx")]


class Notice(models.Model):
    """告知书 / 限期改正指令书 — an A4 PDF kept on the task."""

    Kind = NoticeKind

    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.PROTECT, related_name="notices")
    case = models.ForeignKey(
        "EnforcementCase", null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    kind = models.CharField(_("文书类型"), max_length=16, choices=Kind.choices)
    number = models.CharField(_("文号"), max_length=60, unique=True)
    addressee = models.CharField(_("送达对象"), max_length=200)
    facts = models.TextField(_("事实"))
    legal_basis = models.TextField(_("法律依据"))
    deadline = models.DateField(_("整改期限"))
    issuing_office = models.CharField(_("发文机关"), max_length=120)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)
    pdf = models.FileField(upload_to="notices/%Y/%m/", blank=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("文书")
        verbose_name_plural = _("文书")


class EnforcementCase(models.Model):
    """劳动保障监察案件: from an escalated task or opened by an inspector."""

    CaseType = CaseType

    class Status(models.TextChoices):
        OPEN = "open", _("立案")
        AUDITING = "auditing", _("稽核中")
        ORDER_ISSUED = "order_issued", _("已下达限期改正指令")
        RECTIFIED = "rectified", _("已整改")
        UNRECTIFIED = "unrectified", _("逾期未整改")
        CLOSED = "closed", _("结案")

    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    case_type = models.CharField(_("案件类型"), max_length=16, choices=CaseType.choices)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    employer_uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    employer_name = models.CharField(_("单位名称"), max_length=200)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey(Street, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    findings = models.JSONField(_("稽核结果"), default=dict, blank=True)  # verified headcount, base, source
    arrears_amount = models.DecimalField(_("欠费金额"), max_digits=16, decimal_places=2, default=0)
    order_deadline = models.DateField(_("限期改正期限"), null=True, blank=True)
    outcome = models.TextField(_("处理结果"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Added with the case file (enforcement/cases/): who works it, how it ended, the order.
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办监察员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome_kind = models.CharField(_("结案方式"), max_length=20, blank=True)
    order_issued_at = models.DateTimeField(_("指令下达时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("最近变动"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("执法案件")
        verbose_name_plural = _("执法案件")


class CaseEvent(models.Model):
    case = models.ForeignKey(EnforcementCase, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]


class BlacklistEntry(models.Model):
    """社会保险领域严重失信人名单: proposed → notified → under review → published → removed."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("拟列入")
        NOTIFIED = "notified", _("已告知")
        UNDER_REVIEW = "under_review", _("审核中")
        PUBLISHED = "published", _("已公布")
        REJECTED = "rejected", _("不予列入")
        REMOVED = "removed", _("已移出")

    case = models.ForeignKey(
        EnforcementCase, null=True, blank=True, on_delete=models.PROTECT, related_name="blacklist_entries"
    )
    employer_uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    employer_name = models.CharField(_("单位名称"), max_length=200)
    responsible_person = models.CharField(_("责任人"), max_length=80, blank=True)
    reason = models.TextField(_("列入事由"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    measures = models.JSONField(_("联合惩戒措施"), default=list, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    statement_deadline = models.DateField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removal_reason = models.TextField(blank=True)
    # The lifecycle's record (enforcement/blacklist/services.py writes every one of these).
    violation = models.CharField(_("失信行为"), max_length=16, choices=BlacklistViolation.choices, blank=True)
    legal_basis = models.TextField(_("列入依据"), blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=80, blank=True)
    notice_number = models.CharField(_("告知书文号"), max_length=60, blank=True)
    notice_pdf = models.FileField(upload_to="blacklist/%Y/", blank=True)
    statement = models.TextField(_("陈述申辩"), blank=True)
    statement_at = models.DateTimeField(null=True, blank=True)
    decision = models.TextField(_("审核决定"), blank=True)
    listed_on = models.DateField(_("列入日期"), null=True, blank=True)
    repair_application = models.TextField(_("信用修复申请"), blank=True)
    repair_applied_at = models.DateTimeField(null=True, blank=True)
    repair_rectified = models.BooleanField(_("已整改"), default=False)
    repair_paid = models.BooleanField(_("已补缴"), default=False)
    # Set by every change (partners pull with updated_since=).
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("失信名单")
        verbose_name_plural = _("失信名单")
        indexes = [models.Index(fields=["status", "expires_on"], name="blacklist_status_expiry_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["employer_uscc"],
                condition=Q(status__in=["proposed", "notified", "under_review", "published"]),
                name="one_live_blacklist_entry_per_employer",
            ),
        ]


class BlacklistEvent(models.Model):
    """The entry's timeline: who, when, what (kind, data) and why (data["reason"] etc.)."""

    Kind = BlacklistEventKind

    entry = models.ForeignKey(BlacklistEntry, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=BlacklistEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]


class NoticeSequence(models.Model):
    """The per-year counter behind notice numbers (乌人社告〔2026〕0001号): one row per
    year, advanced with a row lock so that two caseworkers never draw the same number."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("文号序列")
        verbose_name_plural = _("文号序列")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class WorkCalendarDay(models.Model):
    """A day that breaks the Monday–Friday rule: a public holiday (法定节假日, also on a
    weekend when a State Council notice's holiday period covers one) or a make-up
    workday (调休上班, only a Saturday or Sunday). Every other day is a working day when
    it falls on Monday–Friday. Maintained by city managers; read through
    enforcement/workdays/selectors.py; every change leaves a `WorkCalendarChange`."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("节假日")
        WORKDAY = "workday", _("调休上班日")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=40)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")

    def __str__(self) -> str:
        return f"{self.date} {self.kind} {self.name}"


class WorkCalendarChange(models.Model):
    """The history of the working-day calendar: who set or deleted which day, when, and
    what it was before (a deleted day leaves no row of its own)."""

    class Action(models.TextChoices):
        SET = "set", _("设置")
        DELETE = "delete", _("删除")

    date = models.DateField(_("日期"), db_index=True)
    action = models.CharField(_("操作"), max_length=8, choices=Action.choices)
    old_kind = models.CharField(max_length=8, blank=True)
    old_name = models.CharField(max_length=40, blank=True)
    new_kind = models.CharField(max_length=8, blank=True)
    new_name = models.CharField(max_length=40, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("工作日历修改记录")
        verbose_name_plural = _("工作日历修改记录")


# The credit blacklist's own vocabulary, documents and partner deliveries live with its
# package (enforcement/blacklist/); imported here so that Django finds the models.
from enforcement.blacklist.models import (  # noqa: E402
    BlacklistDelivery as BlacklistDelivery,
)
from enforcement.blacklist.models import (  # noqa: E402
    BlacklistNoticeSequence as BlacklistNoticeSequence,
)

# The case file (violations, findings, attachments, documents): enforcement/cases/models.py.
from enforcement.cases.models import CaseArrearsPeriod as CaseArrearsPeriod  # noqa: E402
from enforcement.cases.models import (  # noqa: E402
    CaseAttachment as CaseAttachment,
)
from enforcement.cases.models import (  # noqa: E402
    CaseDocument as CaseDocument,
)
from enforcement.cases.models import (  # noqa: E402
    CaseDocumentSequence as CaseDocumentSequence,
)
from enforcement.cases.models import (  # noqa: E402
    CaseEventKind as CaseEventKind,
)
from enforcement.cases.models import (  # noqa: E402
    CaseFinding as CaseFinding,
)
from enforcement.cases.models import CaseFine as CaseFine  # noqa: E402
from enforcement.cases.models import (  # noqa: E402
    CaseOutcome as CaseOutcome,
)
from enforcement.cases.models import CasePayment as CasePayment  # noqa: E402
from enforcement.cases.models import (  # noqa: E402
    CaseViolation as CaseViolation,
)
