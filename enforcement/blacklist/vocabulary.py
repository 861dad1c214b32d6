"""The blacklist's vocabulary: which violations may lead to a listing, the joint-punishment
measures of portal.md (→ Enforcement), and the kinds of timeline event. Codes are stored;
labels are Chinese msgids."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from enforcement.kinds import CaseType


class Violation(models.TextChoices):
    """Why an employer may be listed: an order's deadline passed unrectified for one of these."""

    UNENROLLED = "unenrolled", _("未依法办理社会保险登记")
    UNDERREPORTED = "underreported", _("未如实申报社会保险缴费基数")
    ARREARS = "arrears", _("拒不缴纳欠缴的社会保险费")


# The case types whose unrectified order may be proposed, and the violation each becomes.
VIOLATION_OF_CASE_TYPE: dict[str, Violation] = {
    CaseType.UNENROLLED: Violation.UNENROLLED,
    CaseType.MISSED: Violation.UNENROLLED,
    CaseType.UNDERREPORTED: Violation.UNDERREPORTED,
    CaseType.ARREARS: Violation.ARREARS,
}

# 《中华人民共和国社会保险法》 and the bureau's list rules, cited per violation.
LEGAL_BASIS: dict[str, str] = {
    Violation.UNENROLLED: "《中华人民共和国社会保险法》第五十八条、第八十四条；"
    "《社会保险领域严重失信人名单管理暂行办法》第五条",
    Violation.UNDERREPORTED: "《中华人民共和国社会保险法》第六十条、第八十六条；"
    "《社会保险领域严重失信人名单管理暂行办法》第五条",
    Violation.ARREARS: "《中华人民共和国社会保险法》第六十条、第六十三条、第八十六条；"
    "《社会保险领域严重失信人名单管理暂行办法》第五条",
}


class Measure(models.TextChoices):
    """联合惩戒措施 (portal.md → Enforcement)."""

    KEY_SUPERVISION = "key_supervision", _("列为重点监管对象")
    FISCAL_SUBSIDIES = "fiscal_subsidies", _("限制申请财政性资金补贴")
    GOVERNMENT_PROCUREMENT = "government_procurement", _("限制参与政府采购")
    PPP_FRANCHISES = "ppp_franchises", _("限制参与政府和社会资本合作及特许经营")
    FINANCING_CREDIT = "financing_credit", _("融资授信从严审核")
    HIGH_CONSUMPTION = "high_consumption", _("限制责任人高消费")
    PREFERENTIAL_POLICIES = "preferential_policies", _("限制享受优惠政策")
    LAND_SUPPLY = "land_supply", _("限制取得土地供应")
    BIDDING = "bidding", _("限制参与招标投标")


class EventKind(models.TextChoices):
    PROPOSED = "proposed", _("提出列入")
    NOTIFIED = "notified", _("送达失信告知书")
    STATEMENT = "statement", _("陈述申辩")
    PERIOD_LAPSED = "period_lapsed", _("陈述申辩期满")
    APPROVED = "approved", _("审核通过并公布")
    REJECTED = "rejected", _("审核不予列入")
    REPAIR_APPLIED = "repair_applied", _("申请信用修复")
    REPAIR_APPROVED = "repair_approved", _("信用修复通过并移出")
    REPAIR_REJECTED = "repair_rejected", _("信用修复不予通过")
    EXPIRED = "expired", _("期满移出")
