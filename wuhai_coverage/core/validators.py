"""Identifier validators: Unified Social Credit Code (GB 32100-2015) and resident ID
number (GB 11643-1999). Masking lives in `privacy.py`.

python-stdnum (`stdnum.cn.ric`) is the base for ID numbers; the contract adds what it
does not do: folding of lower-case `x`, the 15→18-digit conversion, and a single
normalised result or a clear error. For the USCC the contract's own rule is applied
(see normalize_uscc for why stdnum's layout check is not).
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exc
from stdnum.cn import ric as stdnum_ric

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RIC_CHECK = "10X98765432"


class InvalidIdentifier(ValueError):
    """The value is not a valid identifier; the message says why."""


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalize_uscc(value: str) -> str:
    """Return the upper-cased 18-character code, or raise InvalidIdentifier."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise InvalidIdentifier(_("统一社会信用代码应为18位，实为%(n)d位") % {"n": len(code)})
    bad = [c for c in code if c not in USCC_ALPHABET]
    if bad:
        raise InvalidIdentifier(_("统一社会信用代码含非法字符 %(char)r") % {"char": bad[0]})
    if uscc_check_char(code[:17]) != code[17]:
        raise InvalidIdentifier(_("统一社会信用代码校验位错误"))
    # Not stdnum_uscc.validate(): it demands digits in the first 8 places, which
    # rejects real codes whose registration-authority code is a letter (N2… for
    # farmers' cooperatives, Y… for others) and goes beyond the contract's rule.
    # Its check-digit routine is the same algorithm, asserted equal in the tests.
    return code


def is_valid_uscc(value: str) -> bool:
    try:
        normalize_uscc(value)
    except InvalidIdentifier:
        return False
    return True


def ric_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, RIC_WEIGHTS, strict=True))
    return RIC_CHECK[total % 11]


def convert_ric15(value: str) -> str:
    """15-digit legacy ID → 18 digits: insert 19 before the 2-digit year, add the check."""
    first17 = value[:6] + "19" + value[6:]
    return first17 + ric_check_char(first17)


def normalize_id_number(value: str) -> str:
    """Return the 18-character ID number (upper-case X), or raise InvalidIdentifier."""
    code = (value or "").strip().upper()
    if len(code) == 15:
        if not code.isdigit():
            raise InvalidIdentifier(_("15位身份证号应全为数字"))
        code = convert_ric15(code)
    elif len(code) != 18:
        raise InvalidIdentifier(_("身份证号应为18位或15位，实为%(n)d位") % {"n": len(code)})
    if not code[:17].isdigit() or not (code[17].isdigit() or code[17] == "X"):
        raise InvalidIdentifier(_("身份证号格式错误：应为17位数字加1位校验码（数字或X）"))
    try:
        birth_date_of(code)
    except ValueError:
        # The digits are not repeated: beside a masked number they would complete it.
        raise InvalidIdentifier(_("身份证号中的出生日期不存在")) from None
    if ric_check_char(code[:17]) != code[17]:
        raise InvalidIdentifier(_("身份证号校验位错误"))
    try:
        stdnum_ric.validate(code)
    except stdnum_exc.InvalidComponent:
        # stdnum also rejects birth dates in the future; the contract only asks for a real date.
        pass
    except stdnum_exc.ValidationError as exc:
        raise InvalidIdentifier(_("身份证号无效：%(reason)s") % {"reason": exc}) from None
    return code


def is_valid_id_number(value: str) -> bool:
    try:
        normalize_id_number(value)
    except InvalidIdentifier:
        return False
    return True


def birth_date_of(id_number: str) -> dt.date:
    """Digits 7–14 of an 18-digit ID number as a date (ValueError when not a real date)."""
    return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def sex_of(id_number: str) -> str:
    """'M' when the 17th digit is odd, else 'F' (shown as evidence only)."""
    return "M" if int(id_number[16]) % 2 else "F"


# --- Fast paths for bulk intake (enrollment's roster reader): the same rules as
# normalize_uscc / normalize_id_number, without exceptions or per-character Python
# loops on the valid path. They return None for an invalid value; call the normalize_*
# function then to get the reason. tests/core/test_validators.py asserts they agree.

# Weighted sums as one int() each: the USCC weights are 3**i mod 31, and 34 ≡ 3 (mod 31),
# so Σ vᵢ·wᵢ ≡ int(reversed values as base-34 digits, 34); the ID weights are 2**(17-i)
# mod 11, and 13 ≡ 2 (mod 11), so Σ dᵢ·wᵢ ≡ 2·int(first17, 13). int() runs in C.
_B34 = "0123456789abcdefghijklmnopqrstuvwxyz"[:31]
_USCC_TO_B34 = str.maketrans(
    {chr(c): "!" for c in range(128)}
    | {ch: _B34[i] for i, ch in enumerate(USCC_ALPHABET)}
    | {ch.lower(): _B34[i] for i, ch in enumerate(USCC_ALPHABET)}
)
_valid_ymd: dict[str, bool] = {}


def fast_uscc(code: str) -> str | None:
    """`code` trimmed; returns the upper-cased code or None."""
    if len(code) != 18 or not code.isascii():
        return None
    try:
        total = int(code[16::-1].translate(_USCC_TO_B34), 34)
        check = _USCC_TO_B34_CHECK[code[17]]
    except (ValueError, KeyError):
        return None
    if check != (31 - total % 31) % 31:
        return None
    return code.upper()


_USCC_TO_B34_CHECK = {ch: i for i, ch in enumerate(USCC_ALPHABET)} | {
    ch.lower(): i for i, ch in enumerate(USCC_ALPHABET) if ch.isalpha()
}


def _real_ymd(ymd: str) -> bool:
    ok = _valid_ymd.get(ymd)
    if ok is None:
        try:
            dt.date(int(ymd[:4]), int(ymd[4:6]), int(ymd[6:8]))
            ok = True
        except ValueError:
            ok = False
        if len(_valid_ymd) < 100_000:  # every real birth date of a century fits
            _valid_ymd[ymd] = ok
    return ok


# YYYYMMDD → is a real date, filled by fast_id_number; the intake's generated row
# function reads it directly for its inline fast path.
real_ymd_cache = _valid_ymd


def fast_id_number(code: str) -> str | None:
    """`code` trimmed; returns the 18-character ID (15 → 18, x → X) or None."""
    n = len(code)
    if n == 18:
        first17 = code[:17]
        last = code[17]
        if last == "x":
            last = "X"
    elif n == 15:
        if not (code.isascii() and code.isdigit()):
            return None
        first17 = code[:6] + "19" + code[6:]
        last = None
    else:
        return None
    if not (first17.isascii() and first17.isdigit()):
        return None
    check = RIC_CHECK[2 * int(first17, 13) % 11]
    if last is not None and last != check:
        return None
    if not _real_ymd(first17[6:14]):
        return None
    return first17 + check


# Search-box text that looks like a key (USCC, project code or ID number) rather than a
# name: 10–40 letters and digits with at least one digit. Shorter text is searched as a
# name, so a key search needs enough of the key to say something (the task queue and the
# registry both read this one definition; an ID number is only ever matched whole).
KEY_SEARCH = re.compile(r"^(?=.*[0-9])[0-9A-Za-z]{10,40}$")


def looks_like_key(text: str) -> bool:
    return bool(KEY_SEARCH.match(text))
