"""The ranking's verdicts and charts at the pass line: a score exactly at the pass score
passes; rank 1 is never both 通报表扬 and 低于合格线; bars are coloured by pass/fail, the
pass line is labelled, and the charts follow the ranking."""

import re
from decimal import Decimal as D

import pytest
from django.utils import translation

from assessment import charts, parameters, scoring
from tests.assessment.conftest import A, B, C


def _district(code, score_value):
    return scoring.DistrictResult(
        code=code,
        name=code,
        indicators=[
            scoring.IndicatorResult(
                code="publicity_coverage", numerator=None, denominator=None, weight=D(15), score=score_value
            )
        ],
    )


def _params(**over):
    p = parameters.defaults()
    p.update({k: D(v) for k, v in over.items()})
    return p


def test_given_rank_1_exactly_at_the_pass_score_it_passes_and_is_commended():
    ranked = scoring.rank_districts([_district(A, D("80.00")), _district(B, D("79.99"))], _params())
    assert [(r.code, r.rank, r.commended, r.below_pass, r.fund_gap_share) for r in ranked] == [
        (A, 1, True, False, D("0.50")),
        (B, 2, False, True, D("0.60")),
    ]


def test_given_rank_1_just_under_the_pass_score_it_is_not_commended():
    ranked = scoring.rank_districts([_district(A, D("79.99")), _district(B, D("60.00"))], _params())
    assert [(r.code, r.rank, r.commended, r.below_pass) for r in ranked] == [
        (A, 1, False, True),
        (B, 2, False, True),
    ]
    assert not any(r.commended and r.below_pass for r in ranked)


def test_given_a_pass_score_of_60_the_verdicts_follow_it():
    ranked = scoring.rank_districts(
        [_district(A, D("60.00")), _district(B, D("60.00")), _district(C, D("59.99"))],
        _params(pass_score=60),
    )
    assert [(r.rank, r.commended, r.below_pass) for r in ranked] == [
        (1, True, False),
        (1, True, False),
        (3, False, True),
    ]


@translation.override("zh-hans")
def test_the_bar_chart_colours_by_pass_or_fail_in_the_given_order_and_labels_the_pass_line():
    svg = str(
        charts.bar_chart([("甲区", D("80.00")), ("乙区", D("79.99")), ("丙区", None)], pass_score=D(80))
    )
    assert re.findall(r'<rect class="(\w+)"', svg) == ["pass", "fail"]  # 80.00 passes, 79.99 fails
    assert f'fill="{charts.BAR_PASS}"' in svg and f'fill="{charts.BAR_LOW}"' in svg
    assert svg.index("甲区") < svg.index("乙区") < svg.index("丙区")  # the order given: the ranking
    assert re.search(r'<text class="pass-label"[^>]*>合格线 80 分</text>', svg)


@translation.override("zh-hans")
def test_the_pass_line_label_shows_the_configured_score():
    svg = str(charts.bar_chart([("甲区", D("61"))], pass_score=D("60.00")))
    assert "合格线 60 分" in svg and re.findall(r'<rect class="(\w+)"', svg) == ["pass"]


@pytest.mark.django_db
def test_the_ranking_page_draws_its_charts_in_ranking_order(scenario, client, city_manager):
    client.force_login(city_manager)
    with translation.override("zh-hans"):
        body = client.get("/assessment/?year=2025", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    names = re.findall(r"<figure><figcaption>([^<]+)</figcaption>", body)
    table = re.findall(r'href="/assessment/districts/(\d+)/\?year=2025">([^<]+)</a>', body)
    assert [code for code, _name in table] == [B, A, C]  # B 100.00, A 58.39, C 52.17
    assert names == [name for _code, name in table]  # the trends follow the ranking
    chart = body[body.index('<svg class="chart"') :]
    chart = chart[: chart.index("</svg>")]
    assert re.findall(r'<rect class="(\w+)"', chart) == ["pass", "fail", "fail"]
    assert "合格线 80 分" in chart
    # rank 1 commended, the two below the pass line are not
    assert body.count('badge commended">通报表扬') == 1
