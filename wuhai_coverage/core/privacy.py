"""Privacy by construction: the one home of every masking rule (style.md → "A masked
value never sits beside what it hides").

Every page, serializer, export, PDF notice and log line that shows a person's ID number,
phone or birth date goes through these functions; the full value leaves the server only
through the one logged reveal (`wuhai_coverage.core.services.access_log_reveal`).

Why a birth date is shown only as a year: `150302********2983` hides exactly digits 7–14,
which are the birth date — printed beside it, the whole number is on screen. The year
alone leaves month and day (≈ 366 combinations) hidden. Templates use the filters in
`enforcement.templatetags.portal_tags` (`masked`, `birth_year`), which call these.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

ID_NUMBER = "id_number"
PHONE = "phone"
BIRTH_DATE = "birth_date"
KINDS = (ID_NUMBER, PHONE, BIRTH_DATE)


def mask_id_number(value: str | None) -> str:
    """150302********123X — the first six (the region) and last four characters stay visible."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****5678."""
    if not value:
        return ""
    value = str(value)
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def birth_year(value: dt.date | str | None) -> str:
    """A birth date as its year alone ('1973'); '' when unknown. A masked ID number hides
    the birth date, so the date is never printed in full beside it."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.date):
        return f"{value.year:04d}"
    text = str(value).strip()
    return text[:4] if len(text) >= 4 and text[:4].isdigit() else ""


def mask(value: Any, kind: str) -> str:
    """The one entry point: mask `value` as a value of `kind` (id_number, phone, birth_date)."""
    if kind == ID_NUMBER:
        return mask_id_number(value)
    if kind == PHONE:
        return mask_phone(value)
    if kind == BIRTH_DATE:
        return birth_year(value)
    raise ValueError(f"unknown kind of personal value {kind!r}; kinds: {', '.join(KINDS)}")


def mask_subject_key(subject_type: str, key: str | None) -> str:
    """A task's subject key as shown: a person's key is an ID number (masked); a USCC or a
    project code is not personal and is shown as it is."""
    if subject_type == "person":
        return mask_id_number(key)
    return key or ""


# --- Log lines -----------------------------------------------------------------------
# Whatever a log call is handed — a message, an exception from the database naming a key
# ("Key (batch_id, id_number)=(…) already exists"), a traceback — the portal's log handler
# writes it through `redact`: an ID number or a mobile number never reaches a log file.
_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])")
_MOBILE_LIKE = re.compile(r"(?<![0-9])(1[3-9]\d{9})(?![0-9])")


def redact(text: str) -> str:
    """`text` with every ID number (18 or 15 digits) and mainland mobile number masked."""
    text = _ID_LIKE.sub(lambda m: mask_id_number(m.group(1)), text)
    return _MOBILE_LIKE.sub(lambda m: mask_phone(m.group(1)), text)


class RedactingFormatter(logging.Formatter):
    """The formatter of the portal's log handlers (settings.LOGGING)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
