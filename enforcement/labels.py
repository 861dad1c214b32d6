"""Enforcement's words in the label registry (wuhai_coverage.core.labels): the evidence keys
the comparison writes and how their values read, a run's statistics keys, the thresholds'
names with their units, the contact channels and outcomes. Called from EnforcementConfig.ready."""

from __future__ import annotations

import functools
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wuhai_coverage.core import labels

# A run's statistics keys beside the task kinds (ComparisonRun.rule_seconds, .snapshots).
RUN_KEYS = {
    "_facts": _("事实表计算"),
    "_facts_employer": _("单位事实表"),
    "_facts_person": _("人员事实表"),
    "_index": _("建立索引"),
    "_statistics": _("更新统计信息"),
    "_inputs": _("核对规则输入"),
    "_bulk_drop": _("暂时移除任务表索引"),
    "_bulk_rebuild": _("重建任务表索引"),
    "batch": _("批次"),
    "rows_total": _("行数"),
    "rows_rejected": _("退回行数"),
    "snapshot_date": _("数据日期"),
}

# How a run was started (ComparisonRun.trigger) and the phases of its progress.
RUN_TRIGGERS = {
    "beat": _("定时任务"),
    "command": _("命令行"),
    "api": _("接口调用"),
    "portal": _("门户操作"),
    "demo": _("演示数据"),
    "manual": _("手动"),
    "bench": _("性能测试"),
}
RUN_PHASES = {
    "queued": _("排队中"),
    "evaluating": _("比对中"),
    "writing": _("写入任务"),
    "done": _("已完成"),
    # the fan-out: the parts are evaluated, the write is waiting for its worker; a part's states
    "joined": _("等待写入"),
    "waiting": _("等待上一阶段"),
    "running": _("执行中"),
}

# Evidence values that are money (元), ratios, or codes of a vocabulary.
MONEY_KEYS = (
    "W",
    "A",
    "payroll_total",
    "declared_average",
    "declared_base_total",
    "payroll_average",
    "wage_average",
    "average_wage",
    "expected_average",
    "reference",
    "arrears_amount",
    "contract_amount",
    "average_monthly_wage",
)
RATIO_KEYS = ("ratio", "tolerance", "missed_min_ratio", "max_rejected_ratio", "base_tolerance")
VOCABULARY_KEYS = {
    "entity_type": "enrollment.MarketEntityRow.entity_type",
    "market_status": "enrollment.MarketEntityRow.status",
    "status": "enrollment.Enrollment.status",
    "pension_status": "enrollment.Enrollment.status",
    "scheme": "enrollment.Enrollment.scheme",
    "insurance_type": "enrollment.Enrollment.insurance_type",
    "sex": "roster.sex",
    "category": "roster.civil_affairs_category",
    "civil_affairs_category": "roster.civil_affairs_category",
    "disability_level": "roster.disability_level",
}


def _money(value: Any) -> str:
    """An amount with thousands separators; the key's name carries the unit （元）."""
    return labels.money(value, symbol=False)


def _choice(value: Any, *, vocabulary: str) -> str:
    return labels.choice(value, vocabulary)


def _sources(value: Any) -> str:
    from enforcement.notices import SOURCE_LABELS

    items = value if isinstance(value, list | tuple) else [value]
    return gettext("、").join(str(SOURCE_LABELS.get(str(v), v)) for v in items)


def _comparison_parameter(name: str) -> Any:
    from enforcement.comparison.parameters import THRESHOLDS

    if name in THRESHOLDS:
        th = THRESHOLDS[name]
        return th.label
    return {
        "average_monthly_wage": _("社会平均工资A（元/月）"),
        "average_wage_year": _("社会平均工资所属年度"),
    }.get(name)


def register() -> None:
    from enforcement.kinds import TaskKind
    from enforcement.notices import EVIDENCE_LABELS

    labels.register_vocabulary("enforcement.ComparisonRun.trigger", RUN_TRIGGERS)
    labels.register_facts(RUN_PHASES)
    labels.register_facts(EVIDENCE_LABELS)
    labels.register_facts(RUN_KEYS)
    labels.register_facts(dict(TaskKind.choices))
    for key in MONEY_KEYS:
        labels.register_fact_value(key, _money)
    for key in RATIO_KEYS:
        labels.register_fact_value(key, labels.percent)
    for key, vocabulary in VOCABULARY_KEYS.items():
        labels.register_fact_value(key, functools.partial(_choice, vocabulary=vocabulary))
    labels.register_fact_value("sources", _sources)
    labels.register_parameters(_comparison_parameter)
