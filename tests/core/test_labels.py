"""The label registry (wuhai_coverage/core/labels.py) and its template filters, at the edges:
known and unknown codes, empty values, English, and the cost in queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from wuhai_coverage.core import labels

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_reference():
    labels.reset_for_tests()
    yield
    labels.reset_for_tests()


def test_region_codes_read_as_their_path_of_names():
    assert labels.region("150302") == "海勃湾区"
    assert labels.region("150302001") == "海勃湾区 · 凤凰岭街道"
    assert labels.region("150302001002") == "海勃湾区 · 凤凰岭街道 · 和平社区居委会"
    assert labels.region_name("150302001") == "凤凰岭街道"
    assert labels.region(None) == labels.region("") == ""


@pytest.mark.parametrize("code", ["999999", "150302999", "150302001999", "15030", "abc"])
def test_an_unknown_region_code_is_itself_with_a_marker_not_an_error(code):
    shown = labels.region(code)
    assert shown == f"{code}{labels.UNKNOWN}"


def test_industry_codes_carry_their_gbt_4754_name_from_the_most_precise_level():
    assert labels.industry("B0610") == "B0610 · 煤炭开采和洗选业"  # a key-industry class
    assert labels.industry("C3110") == "C3110 · 黑色金属冶炼和压延加工业"  # its division
    assert labels.industry("c31") == "C31 · 黑色金属冶炼和压延加工业"
    assert labels.industry("C") == "C · 制造业"
    assert labels.industry("Z9999") == f"Z9999{labels.UNKNOWN}"
    assert labels.industry("") == ""


def test_periods_money_and_ratios():
    assert labels.period(202610) == "2026年10月"
    assert labels.period("202601") == "2026年1月"
    assert labels.period(202613) == f"202613{labels.UNKNOWN}"
    assert labels.period("2026") == f"2026{labels.UNKNOWN}"
    assert labels.money(Decimal("1234567.89")) == "¥1,234,567.89"
    assert labels.money("0") == "¥0.00"
    assert labels.money(1234.5, symbol=False) == "1,234.50"
    assert labels.money(None) == "—"
    assert labels.money("not money") == "not money"
    assert labels.number(12345) == "12,345"
    assert labels.percent(0.182) == "18.2%"
    assert labels.percent("0.05") == "5%"
    assert labels.percent(Decimal("0.7227"), 2) == "72.27%"
    assert labels.percent(None) == "—"


def test_enum_values_read_as_their_labels_from_every_models_choices_and_registered_vocabularies():
    assert labels.choice("coop", "enrollment.MarketEntityRow.entity_type") == "农民专业合作社"
    assert labels.choice("active", "enrollment.MarketEntityRow.status") == "存续"
    assert labels.choice("active", "enrollment.Enrollment.status") == "正常参保"
    # A roster field stored without choices, through its registered vocabulary.
    assert labels.field_value("resident", "enrollment.InsurancePersonRow.scheme") == "城乡居民"
    assert labels.field_value("dibao", "enrollment.CivilAffairsRow.category") == "低保"
    assert labels.choice("martian", "enrollment.MarketEntityRow.entity_type") == f"martian{labels.UNKNOWN}"
    assert labels.choice("x", "no.such.vocabulary") == f"x{labels.UNKNOWN}"
    assert labels.choice(None, "enrollment.MarketEntityRow.status") == ""
    values = labels.enum_values()
    assert "coop" in values and "enrollment.MarketEntityRow.entity_type" in values["coop"]


def test_field_values_by_what_the_field_holds():
    assert (
        labels.field_value("150302001", "enrollment.MarketEntityRow.street_code") == "海勃湾区 · 凤凰岭街道"
    )
    assert labels.field_value(202605, "enrollment.TaxPayrollRow.period") == "2026年5月"
    assert labels.field_value("B0610", "enrollment.DustHazardRow.industry_code") == "B0610 · 煤炭开采和洗选业"
    assert labels.field_value(Decimal("38795.00"), "enrollment.TaxPayrollRow.payroll_total") == "¥38,795.00"
    assert labels.field_value(True, "enrollment.InsurancePersonRow.subsidized") == "是"
    assert labels.field_value("张三", "enrollment.HouseholdRow.name") == "张三"


def test_evidence_keys_and_parameters_registered_by_the_apps():
    assert labels.fact("_facts") == "事实表计算"
    assert labels.fact("threshold") == "漏保认定最少人数"
    assert labels.fact("Ip") == "养老保险参保人数"
    assert labels.fact("employer_coverage") == "用人单位参保率"
    assert labels.fact("enroll_employer") == "未参保企业抓参保"
    assert labels.fact("no_such_key") == f"no_such_key{labels.UNKNOWN}"
    assert labels.fact_value(0.182, "ratio") == "18.2%"
    assert labels.fact_value("coop", "entity_type") == "农民专业合作社"
    assert labels.fact_value(["market", "tax"], "sources") == "市场监管局登记、税务个税扣缴"
    assert labels.fact_value(202610, "payroll_period") == "2026年10月"
    assert labels.fact_value("F", "sex") == "女"
    assert labels.parameter("missed_min_ratio") == "漏保最低比例"
    assert labels.parameter("weight.employer_coverage") == "用人单位参保率权重"
    assert labels.parameter("pass_score") == "合格分数线（分）"
    assert labels.parameter("calc_base").startswith("计发基数")
    assert labels.parameter("weight.nothing") == f"weight.nothing{labels.UNKNOWN}"


def test_english_when_the_language_is_english():
    with translation.override("en"):
        assert labels.period(202610) == "October 2026"
        assert labels.choice("coop", "enrollment.MarketEntityRow.entity_type") == "Farmers' cooperative"
        assert labels.choice("enterprise", "enrollment.MarketEntityRow.entity_type") == "Enterprise"
        assert labels.money(Decimal("1234567.89")) == "¥1,234,567.89"
        assert labels.percent(0.182) == "18.2%"
        assert "（" not in labels.fact_value(True, "poverty_active")  # 是 → Yes


def test_the_template_filters():
    html = Template(
        "{% load labels %}{{ d|region }}|{{ s|region }}|{{ i|industry }}|{{ p|period }}|{{ m|money }}|"
        "{{ r|percent }}|{{ e|choice:'enrollment.MarketEntityRow.entity_type' }}|{{ k|fact }}|{{ n|parameter }}"
    ).render(
        Context(
            {
                "d": "150302",
                "s": "150302008",
                "i": "C3110",
                "p": 202610,
                "m": "1234567.89",
                "r": "0.182",
                "e": "coop",
                "k": "community",
                "n": "base_tolerance",
            }
        )
    )
    assert html == (
        "海勃湾区|海勃湾区 · 林荫街道|C3110 · 黑色金属冶炼和压延加工业|2026年10月|¥1,234,567.89|18.2%|"
        "农民专业合作社|社区|缴费基数容差"
    )


def test_the_reference_costs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):  # the first use reads the reference files, then memory
        for code in ("150302", "150303001", "150302001002", "C3110", "B0610"):
            labels.region(code) if code[0].isdigit() else labels.industry(code)


def test_a_miss_reloads_the_reference_from_the_database_at_most_once_a_minute(
    django_assert_num_queries, monkeypatch
):
    from wuhai_coverage.core.models import District

    labels.region("150302")
    District.objects.create(code="150399", name="测试区")
    with django_assert_num_queries(0):  # loaded just now: a miss does not reload
        assert labels.region("150399") == f"150399{labels.UNKNOWN}"
    monkeypatch.setattr(labels, "RELOAD_AFTER_SECONDS", -1.0)
    with django_assert_num_queries(6):  # three region tables, three industry tables
        assert labels.region("150399") == "测试区"


def test_a_notice_states_the_facts_in_words_not_codes():
    """The 参保告知书's facts (enforcement.notices.facts_of) go through the registry: its 主体类型
    of a cooperative is 农民专业合作社, never `coop`; periods, amounts and sources in words."""
    from enforcement import notices
    from enforcement.models import Task

    task = Task(
        kind="enroll_employer",
        subject_type="employer",
        subject_key="93150302MPE4L6HRE0",
        evidence={
            "H": 5,
            "W": "38795.00",
            "entity_type": "coop",
            "payroll_period": 202610,
            "sources": ["market", "tax"],
            "industry_code": "C3110",
        },
    )
    with translation.override("en"):  # a notice is Chinese whatever the caseworker's language
        facts = notices.facts_of(task)
    assert "主体类型：农民专业合作社" in facts
    assert "月工资总额（元）：38,795.00" in facts
    assert "扣缴所属期：2026年10月" in facts
    assert "数据来源：市场监管局登记、税务个税扣缴" in facts
    assert "行业代码：C3110 · 黑色金属冶炼和压延加工业" in facts
    assert "coop" not in facts and "202610" not in facts


def test_every_statistics_key_and_trigger_the_comparison_writes_has_a_name():
    """The runs page names each step of a run's rule_seconds (a bulk first run's index drop
    and rebuild showed as "_bulk_drop（未知代码）") and how it was started (the benches' "bench")."""
    import re
    from pathlib import Path

    from enforcement import labels as run_labels
    from enforcement.comparison import engine

    source = Path(engine.__file__).read_text(encoding="utf-8")
    keys = set(re.findall(r'seconds\["(_[a-z_]+)"\]', source))
    assert {"_bulk_drop", "_bulk_rebuild", "_index"} <= keys
    for key in keys:
        assert "未知代码" not in labels.fact(key), key
    bench_sources = "".join(p.read_text(encoding="utf-8") for p in Path("bench").glob("*.py"))
    for trigger in set(re.findall(r'trigger="([a-z_]+)"', source + bench_sources)):
        assert trigger in run_labels.RUN_TRIGGERS, trigger
        assert "未知代码" not in labels.choice(trigger, "enforcement.ComparisonRun.trigger"), trigger
