"""The arrears statement (欠费计算): per period (费款所属期, YYYYMM) the contributions owed,
what was paid, what is still unpaid, and the late fee (滞纳金) of Social Insurance Law
art. 86 — 0.05 % a day from the day after the due date to the day of payment, or to
`as_of` for what is still unpaid — and the fine range of arts. 84/86 (1–3 × the unpaid
total). Pure arithmetic on dataclasses: no ORM; the case services store its inputs and
its result.

Money is in fen (分, int) everywhere inside; `fen()` turns yuan text into fen exactly and
`yuan()` gives yuan back for display. The rules, each tested at its edges in
tests/enforcement/test_arrears.py:

- Due date: day N (`due_day`, default 15) of the month after the period, clamped to that
  month's end (N = 31 for period 202401 is 29 February 2024).
- Late days: from the day after the due date up to and including the payment date (or
  `as_of`); a payment on or before the due date costs nothing.
- Payments settle contributions (本金), oldest period first, in the order they were made;
  what is left once every period is paid is kept as a credit (预缴余额). A payment does
  not settle the fee: the fee is stated, and collected, on its own.
- The fee accrues on the declining balance: each stretch between payments is charged on
  the balance unpaid during it (the payment day itself on the balance before payment).
- Exact decimals throughout; each period's fee is rounded to the fen once (half up), and
  every total is the sum of the rounded figures the statement shows.
- A payment dated after `as_of`, or a period that begins after it, is refused: a statement
  cannot know the future.
- Owed per period either entered, or verified monthly base × the contribution rates
  (`contributions_owed`; rates from fixtures/pension_parameters.json → contribution_rates,
  with any rate the file does not hold — medical, work injury by risk class — passed in).
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

LATE_FEE_RATE = Decimal("0.0005")  # 万分之五 a day, Social Insurance Law art. 86
DEFAULT_DUE_DAY = 15
FINE_MIN_MULTIPLE, FINE_MAX_MULTIPLE = 1, 3  # arts. 84/86: 一倍以上三倍以下
FIRST_YEAR, LAST_YEAR = 1990, 2100
PERIOD_RE = re.compile(r"(\d{4})(\d{2})")
PARAMETERS_FILE = "pension_parameters.json"
# The rates of the parameter file that apply to every employer: pension and unemployment,
# employer and individual shares. Work injury depends on the risk class and medical
# insurance is not in the file: both are passed in.
FIXTURE_RATE_KEYS = (
    "pension_employer",
    "pension_individual",
    "unemployment_employer",
    "unemployment_individual",
)
ONE = Decimal(1)


class ArrearsError(ValueError):
    """The statement's input is not possible; the message says why (translated)."""


# --- money -------------------------------------------------------------------------


def fen(value: Decimal | str | int) -> int:
    """Yuan (Decimal, text or int) → fen, exactly; a fraction of a fen is refused."""
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ArrearsError(_("金额 %(value)s 不是数字") % {"value": value}) from None
    if not amount.is_finite():
        raise ArrearsError(_("金额 %(value)s 不是数字") % {"value": value})
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ArrearsError(_("金额 %(value)s 应精确到分") % {"value": value})
    return int(cents)


def yuan(amount_fen: int) -> Decimal:
    return (Decimal(amount_fen) / 100).quantize(Decimal("0.01"))


def round_fen(exact: Decimal) -> int:
    """Exact fen → whole fen, half up (the one rounding of a period's fee)."""
    return int(exact.quantize(ONE, rounding=ROUND_HALF_UP))


# --- periods and due dates -----------------------------------------------------------


def parse_period(period: str) -> tuple[int, int]:
    match = PERIOD_RE.fullmatch(str(period))
    if not match or not 1 <= int(match[2]) <= 12 or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        raise ArrearsError(_("费款所属期 %(period)s 应为 YYYYMM") % {"period": period})
    return int(match[1]), int(match[2])


def due_date(period: str, due_day: int = DEFAULT_DUE_DAY) -> dt.date:
    """Day `due_day` of the month after the period, clamped to that month's last day."""
    if not 1 <= due_day <= 31:
        raise ArrearsError(_("缴费截止日应为每月 1–31 日，而不是 %(day)s") % {"day": due_day})
    year, month = parse_period(period)
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dt.date(year, month, min(due_day, calendar.monthrange(year, month)[1]))


# --- owed from base × rates ------------------------------------------------------------


@cache
def _fixture_rates() -> dict[str, Decimal]:
    path = Path(settings.BASE_DIR) / "fixtures" / PARAMETERS_FILE
    data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    rates = data["contribution_rates"]
    return {key: Decimal(str(rates[key]["value"])) for key in FIXTURE_RATE_KEYS}


def contribution_rates(extra: Mapping[str, Decimal] | None = None) -> dict[str, Decimal]:
    """The rates of fixtures/pension_parameters.json (pension and unemployment, both
    shares) plus `extra` — the rates the file does not hold (medical, work injury), or a
    local rate that replaces one of the file's."""
    rates = dict(_fixture_rates())
    for key, rate in (extra or {}).items():
        rate = Decimal(str(rate))
        if not Decimal(0) <= rate < ONE:
            raise ArrearsError(_("费率 %(key)s = %(rate)s 应在 0 与 1 之间") % {"key": key, "rate": rate})
        rates[key] = rate
    return rates


def contributions_owed(monthly_base_fen: int, rates: Mapping[str, Decimal]) -> int:
    """A month's contributions: verified monthly base × the sum of the rates, rounded to
    the fen once (half up)."""
    if monthly_base_fen < 0:
        raise ArrearsError(_("缴费基数不能为负数"))
    return round_fen(Decimal(monthly_base_fen) * sum(rates.values(), Decimal(0)))


# --- the statement ---------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodDue:
    period: str  # YYYYMM
    owed: int  # fen
    source: str = ""  # where the figure comes from: 稽核核定基数 × 费率, 录入 …


@dataclass(frozen=True)
class Payment:
    paid_on: dt.date
    amount: int  # fen
    reference: str = ""  # receipt or bank reference


@dataclass(frozen=True)
class Segment:
    """A stretch of late days charged on one balance: `first`..`last` inclusive."""

    first: dt.date
    last: dt.date
    balance: int  # fen unpaid during the stretch
    days: int
    fee_exact: Decimal  # fen, unrounded


@dataclass(frozen=True)
class Allocation:
    """Part of a payment applied to one period."""

    paid_on: dt.date
    period: str
    amount: int  # fen
    reference: str = ""


@dataclass(frozen=True)
class StatementLine:
    period: str
    due_date: dt.date
    owed: int
    paid: int
    unpaid: int
    late_days: int  # from the due date to the day it was settled, or to as_of if it is not
    fee: int  # fen, rounded once
    fee_exact: Decimal
    segments: tuple[Segment, ...]
    source: str = ""


@dataclass(frozen=True)
class Statement:
    as_of: dt.date
    due_day: int
    lines: tuple[StatementLine, ...]
    allocations: tuple[Allocation, ...]
    credit: int  # fen paid beyond every period's contributions
    payments: tuple[Payment, ...] = field(default=())

    @property
    def total_owed(self) -> int:
        return sum(line.owed for line in self.lines)

    @property
    def total_paid(self) -> int:
        return sum(line.paid for line in self.lines)

    @property
    def total_unpaid(self) -> int:
        return sum(line.unpaid for line in self.lines)

    @property
    def total_fee(self) -> int:
        return sum(line.fee for line in self.lines)

    @property
    def total_due(self) -> int:
        """What the employer still has to pay: unpaid contributions and the fee."""
        return self.total_unpaid + self.total_fee

    def fine_range(self) -> tuple[int, int]:
        """Arts. 84/86: a fine of 1 to 3 times the unpaid amount, both ends included (fen)."""
        return FINE_MIN_MULTIPLE * self.total_unpaid, FINE_MAX_MULTIPLE * self.total_unpaid

    def check_fine(self, fine: int) -> int:
        """The chosen fine (fen) if it lies in the range, else ArrearsError saying the range."""
        low, high = self.fine_range()
        if not low <= fine <= high:
            raise ArrearsError(
                _("罚款 %(fine)s 元不在 %(low)s 元至 %(high)s 元（欠缴数额的一至三倍）之间")
                % {"fine": yuan(fine), "low": yuan(low), "high": yuan(high)}
            )
        return fine


def _check_inputs(periods: Sequence[PeriodDue], payments: Sequence[Payment], as_of: dt.date) -> None:
    seen: set[str] = set()
    for p in periods:
        year, month = parse_period(p.period)
        if p.period in seen:
            raise ArrearsError(_("费款所属期 %(period)s 重复") % {"period": p.period})
        seen.add(p.period)
        if not isinstance(p.owed, int):
            raise ArrearsError(_("%(period)s 的应缴金额应以分为单位的整数") % {"period": p.period})
        if p.owed < 0:
            raise ArrearsError(_("%(period)s 的应缴金额不能为负数") % {"period": p.period})
        if dt.date(year, month, 1) > as_of:
            raise ArrearsError(
                _("费款所属期 %(period)s 晚于计算截止日 %(as_of)s") % {"period": p.period, "as_of": as_of}
            )
    for pay in payments:
        if not isinstance(pay.amount, int):
            raise ArrearsError(_("%(day)s 的缴费金额应以分为单位的整数") % {"day": pay.paid_on})
        if pay.amount <= 0:
            raise ArrearsError(_("%(day)s 的缴费金额应大于零") % {"day": pay.paid_on})
        if pay.paid_on > as_of:
            raise ArrearsError(
                _("%(day)s 的缴费晚于计算截止日 %(as_of)s") % {"day": pay.paid_on, "as_of": as_of}
            )


def _allocate(
    periods: Sequence[PeriodDue], payments: Iterable[Payment]
) -> tuple[dict[str, list[Allocation]], int]:
    """Each payment, in date order, to the oldest periods with a balance; the rest is credit."""
    balance = {p.period: p.owed for p in periods}
    order = sorted(balance)
    applied: dict[str, list[Allocation]] = {p: [] for p in order}
    credit = 0
    for pay in sorted(payments, key=lambda p: p.paid_on):  # stable: same-day payments keep their order
        left = pay.amount
        for period in order:
            if not left:
                break
            take = min(left, balance[period])
            if take:
                balance[period] -= take
                left -= take
                applied[period].append(Allocation(pay.paid_on, period, take, pay.reference))
        credit += left
    return applied, credit


def _line(period: PeriodDue, applied: list[Allocation], *, as_of: dt.date, due_day: int) -> StatementLine:
    due = due_date(period.period, due_day)
    cursor, balance = due, period.owed  # cursor: the last day already charged (or the due date)
    segments = []

    def charge(until: dt.date) -> None:
        nonlocal cursor
        if until > cursor and balance > 0:
            days = (until - cursor).days
            segments.append(
                Segment(
                    first=cursor + dt.timedelta(days=1),
                    last=until,
                    balance=balance,
                    days=days,
                    fee_exact=Decimal(balance) * LATE_FEE_RATE * days,
                )
            )
            cursor = until

    settled_on = None
    for allocation in applied:
        charge(allocation.paid_on)
        balance -= allocation.amount
        if balance == 0:
            settled_on = allocation.paid_on
    charge(as_of)
    end = settled_on if balance == 0 and settled_on else (as_of if balance else due)
    exact = sum((s.fee_exact for s in segments), Decimal(0))
    paid = sum(a.amount for a in applied)
    return StatementLine(
        period=period.period,
        due_date=due,
        owed=period.owed,
        paid=paid,
        unpaid=period.owed - paid,
        late_days=max(0, (end - due).days),
        fee=round_fen(exact),
        fee_exact=exact,
        segments=tuple(segments),
        source=period.source,
    )


def arrears_statement(
    periods: Iterable[PeriodDue],
    payments: Iterable[Payment],
    *,
    as_of: dt.date,
    due_day: int = DEFAULT_DUE_DAY,
) -> Statement:
    """The statement of `periods` given `payments`, as of `as_of` (see the module's rules)."""
    periods, payments = list(periods), list(payments)
    _check_inputs(periods, payments, as_of)
    due_date(f"{FIRST_YEAR}01", due_day)  # checks due_day even when there is no period
    applied, credit = _allocate(periods, payments)
    by_period = {p.period: p for p in periods}
    lines = tuple(_line(by_period[k], applied[k], as_of=as_of, due_day=due_day) for k in sorted(by_period))
    allocations = tuple(sorted((a for k in applied for a in applied[k]), key=lambda a: (a.paid_on, a.period)))
    return Statement(
        as_of=as_of,
        due_day=due_day,
        lines=lines,
        allocations=allocations,
        credit=credit,
        payments=tuple(sorted(payments, key=lambda p: p.paid_on)),
    )


# --- the workbook ----------------------------------------------------------------------

MONEY_FORMAT = "#,##0.00"
EXACT_FORMAT = "0.000000"


def statement_workbook(statement: Statement, *, employer_name: str, uscc: str) -> bytes:
    """The statement as an XLSX: the lines with totals and the fine range, the payments
    and what each settled, and how each fee was counted (every stretch, exact)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from enrollment.exports import safe_cell

    bold = Font(bold=True)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("欠费明细")

    def row(sheet, values, *, heading: bool = False, money: Iterable[int] = ()) -> None:
        sheet.append([safe_cell(v) for v in values])
        cells = sheet[sheet.max_row]
        for i in money:
            cells[i].number_format = MONEY_FORMAT
        if heading:
            for cell in cells:
                cell.font = bold

    row(ws, [_("社会保险费欠费及滞纳金计算表")], heading=True)
    row(ws, [_("单位名称"), employer_name])
    row(ws, [_("统一社会信用代码"), uscc])
    row(ws, [_("计算截止日"), statement.as_of])
    row(
        ws,
        [_("缴费截止日"), _("次月 %(day)s 日（当月无该日的，为当月最后一日）") % {"day": statement.due_day}],
    )
    row(ws, [_("滞纳金"), _("自缴费截止日次日起按日加收万分之五（《社会保险法》第八十六条）")])
    row(ws, [])
    money_columns = (2, 3, 4, 6)
    row(
        ws,
        [
            _("费款所属期"),
            _("缴费截止日"),
            _("应缴金额（元）"),
            _("已缴金额（元）"),
            _("欠缴金额（元）"),
            _("滞纳天数"),
            _("滞纳金（元）"),
            _("应缴金额来源"),
        ],
        heading=True,
    )
    for line in statement.lines:
        row(
            ws,
            [
                line.period,
                line.due_date,
                yuan(line.owed),
                yuan(line.paid),
                yuan(line.unpaid),
                line.late_days,
                yuan(line.fee),
                line.source,
            ],
            money=money_columns,
        )
    row(
        ws,
        [
            _("合计"),
            "",
            yuan(statement.total_owed),
            yuan(statement.total_paid),
            yuan(statement.total_unpaid),
            "",
            yuan(statement.total_fee),
        ],
        heading=True,
        money=money_columns,
    )
    row(ws, [])
    row(ws, [_("欠缴本金与滞纳金合计（元）"), yuan(statement.total_due)], money=(1,))
    row(ws, [_("预缴余额（元）"), yuan(statement.credit)], money=(1,))
    low, high = statement.fine_range()
    row(ws, [_("罚款幅度（欠缴数额一至三倍，元）"), yuan(low), yuan(high)], money=(1, 2))

    pays = wb.create_sheet(_("缴费记录"))
    row(pays, [_("缴费日期"), _("冲抵所属期"), _("冲抵金额（元）"), _("凭证号")], heading=True)
    for a in statement.allocations:
        row(pays, [a.paid_on, a.period, yuan(a.amount), a.reference], money=(2,))
    if statement.credit:
        row(pays, ["", _("预缴余额"), yuan(statement.credit), ""], money=(2,))

    steps = wb.create_sheet(_("滞纳金计算过程"))
    row(
        steps,
        [
            _("费款所属期"),
            _("起始日"),
            _("截止日"),
            _("天数"),
            _("计费欠缴额（元）"),
            _("滞纳金（元，未舍入）"),
        ],
        heading=True,
    )
    for line in statement.lines:
        for s in line.segments:
            row(steps, [line.period, s.first, s.last, s.days, yuan(s.balance), s.fee_exact / 100], money=(4,))
            steps.cell(row=steps.max_row, column=6).number_format = EXACT_FORMAT

    for sheet in (ws, pays, steps):
        for column in "ABCDEFGH":
            sheet.column_dimensions[column].width = 18
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
