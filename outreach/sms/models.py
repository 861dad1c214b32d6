"""SMS pushes (短信推送): campaigns, their messages (the delivery log), the opt-out list and
the per-person send ledger that enforces "one message per person per 7 days" in the
database (imported at the end of outreach/models.py, so the app is `outreach`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enforcement.models import Task
from wuhai_coverage.core.models import District, Street


class SmsCampaign(models.Model):
    """One push: which open person tasks (kinds, street, statuses), the template, and the
    progress of its sending. `district` is the caseworker's district (null: city-wide)."""

    class Status(models.TextChoices):
        PREPARED = "prepared", _("待发送")
        QUEUED = "queued", _("排队中")
        SENDING = "sending", _("发送中")
        FINISHED = "finished", _("已完成")
        FAILED = "failed", _("失败")

    district = models.ForeignKey(
        District, verbose_name=_("区"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    street = models.ForeignKey(
        Street, verbose_name=_("街道"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kinds = models.JSONField(_("任务类型"), default=list)
    task_statuses = models.JSONField(_("任务状态"), default=list)
    template = models.TextField(_("短信模板"))
    deadline = models.DateField(_("截止日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PREPARED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    prepare_seconds = models.FloatField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("开始发送"), null=True, blank=True)
    finished_at = models.DateTimeField(_("发送完成"), null=True, blank=True)
    progress = models.JSONField(_("进度"), default=dict)  # {"done": n, "total": n}
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("短信推送批次")
        verbose_name_plural = _("短信推送批次")

    def __str__(self) -> str:
        return f"SMS #{self.pk}"

    @property
    def kind_labels(self) -> list[str]:
        from enforcement.kinds import KINDS

        return [KINDS[k].label for k in self.kinds if k in KINDS]


class SmsMessage(models.Model):
    """One person's message in a campaign: the delivery log row. The phone is kept for
    the gateway (and retries) and shown masked everywhere."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("发送失败")
        SKIPPED = "skipped", _("未发送")

    class SkipReason(models.TextChoices):
        OPTED_OUT = "opted_out", _("已退订")
        RECENT = "recent", _("7日内已发送过")
        NO_PHONE = "no_phone", _("无手机号")

    campaign = models.ForeignKey(SmsCampaign, on_delete=models.CASCADE, related_name="messages")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")
    id_number = models.CharField(_("身份证号"), max_length=18)
    phone = models.CharField(_("手机号"), max_length=11, blank=True)
    text = models.TextField(_("短信内容"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    skip_reason = models.CharField(_("未发送原因"), max_length=10, choices=SkipReason.choices, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    provider_id = models.CharField(_("网关消息号"), max_length=64, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("短信")
        verbose_name_plural = _("短信")
        constraints = [
            # A person is written once per campaign (two tasks of one person: one message).
            models.UniqueConstraint(fields=["campaign", "id_number"], name="sms_one_message_per_person"),
        ]
        indexes = [
            models.Index(fields=["campaign", "status", "id"], name="sms_message_status_idx"),
            models.Index(
                fields=["provider_id"], condition=~Q(provider_id=""), name="sms_message_provider_idx"
            ),
        ]


class SmsOptOut(models.Model):
    """退订: a phone that receives no push — from a reply through the receipt endpoint, or
    entered by staff."""

    class Source(models.TextChoices):
        REPLY = "reply", _("短信回复退订")
        MANUAL = "manual", _("工作人员登记")

    phone = models.CharField(_("手机号"), max_length=11, unique=True)
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("短信退订")
        verbose_name_plural = _("短信退订")


class SmsPersonLedger(models.Model):
    """The last time a person (ID number) was sent a push, across every campaign. The
    sender claims a person with a conditional upsert on this primary key (services.
    _claim), so two concurrent senders can never both send within 7 days."""

    id_number = models.CharField(max_length=18, primary_key=True)
    last_sent_at = models.DateTimeField()
    campaign = models.ForeignKey(
        SmsCampaign, null=True, blank=True, on_delete=models.SET_NULL, db_constraint=False, related_name="+"
    )

    class Meta:
        verbose_name = _("短信发送台账")
        verbose_name_plural = _("短信发送台账")
