"""USCC (GB 32100-2015) and resident ID (GB 11643-1999) validators, exhaustively and
property-based."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from wuhai_coverage.core.privacy import mask_id_number, mask_phone
from wuhai_coverage.core.validators import (
    USCC_ALPHABET,
    InvalidIdentifier,
    birth_date_of,
    convert_ric15,
    normalize_id_number,
    normalize_uscc,
    ric_check_char,
    sex_of,
    uscc_check_char,
)

# A published, real code (Beijing) and real-layout examples.
KNOWN_USCC = "91110000600037341L"
uscc_body = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)


def test_known_uscc_is_valid_and_uppercased():
    assert normalize_uscc(KNOWN_USCC.lower()) == KNOWN_USCC
    assert normalize_uscc(f"  {KNOWN_USCC} ") == KNOWN_USCC


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("", "18"),
        ("91110000600037341", "18"),
        ("91110000600037341LL", "18"),
        ("91110000600037341I", "非法字符"),
        ("9111000060003734IL", "非法字符"),
        ("91110000600037341A", "校验位"),
    ],
)
def test_bad_uscc_is_rejected_with_reason(value, fragment):
    with pytest.raises(InvalidIdentifier, match=fragment):
        normalize_uscc(value)


def test_check_char_31_maps_to_0():
    # Find a body whose weighted sum is ≡ 0 mod 31: then 31 − 0 = 31 → "0".
    body = "0" * 17
    assert uscc_check_char(body) == "0"


@given(uscc_body)
def test_uscc_check_char_matches_stdnum_and_validates(body):
    code = body + uscc_check_char(body)
    assert stdnum_uscc.calc_check_digit(body) == code[-1]
    assert normalize_uscc(code) == code


@settings(max_examples=200)
@given(uscc_body, st.integers(min_value=0, max_value=17), st.sampled_from(USCC_ALPHABET))
def test_any_single_substitution_breaks_the_uscc(body, pos, char):
    code = body + uscc_check_char(body)
    if code[pos] == char:
        return
    mutated = code[:pos] + char + code[pos + 1 :]
    with pytest.raises(InvalidIdentifier):
        normalize_uscc(mutated)


def test_letter_authority_code_is_accepted():
    body = "N2150302MA0" + "123456"
    assert normalize_uscc(body + uscc_check_char(body)).startswith("N2")


# ---- resident ID ---------------------------------------------------------------
def _id(first17: str) -> str:
    return first17 + ric_check_char(first17)


def test_known_id_and_lowercase_x():
    first17 = "11010519491231002"
    code = _id(first17)
    assert code == "11010519491231002X"
    assert normalize_id_number(code.lower()) == code


def test_15_digit_id_converts_to_18():
    assert convert_ric15("150302800101123") == "150302198001011237"
    assert normalize_id_number("150302800101123") == "150302198001011237"


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("15030219800101123", "18"),
        ("1503021980010112377", "18"),
        ("15030219800101123A", "格式"),
        ("1503021980A101123X", "格式"),
        ("15030280010112A", "数字"),
        ("150302198002301234", "出生日期"),
        ("150302199902291234", "出生日期"),
        ("150302800230123", "出生日期"),
    ],
)
def test_bad_id_is_rejected_with_reason(value, fragment):
    with pytest.raises(InvalidIdentifier, match=fragment):
        normalize_id_number(value)


def test_wrong_check_digit_is_rejected():
    good = _id("15030219800101123")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(InvalidIdentifier, match="校验位"):
        normalize_id_number(bad)


def test_leap_day_birth_is_real_in_a_leap_year():
    assert normalize_id_number(_id("15030220000229123"))[6:14] == "20000229"


dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2030, 12, 31))


@given(dates, st.integers(min_value=0, max_value=999))
def test_generated_ids_validate_and_agree_with_stdnum(birth, seq):
    code = _id(f"150303{birth:%Y%m%d}{seq:03d}")
    assert normalize_id_number(code) == code
    assert stdnum_ric.calc_check_digit(code) == code[-1]
    assert birth_date_of(code) == birth


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)), st.integers(0, 999))
def test_15_digit_round_trip(birth, seq):
    legacy = f"150304{birth:%y%m%d}{seq:03d}"
    converted = normalize_id_number(legacy)
    assert converted[:6] == "150304" and birth_date_of(converted) == birth and len(converted) == 18


@settings(max_examples=200)
@given(dates, st.integers(0, 999), st.integers(0, 16), st.sampled_from("0123456789"))
def test_any_single_digit_change_breaks_the_id_or_its_date(birth, seq, pos, digit):
    code = _id(f"150302{birth:%Y%m%d}{seq:03d}")
    if code[pos] == digit:
        return
    with pytest.raises(InvalidIdentifier):
        normalize_id_number(code[:pos] + digit + code[pos + 1 :])


def test_sex_from_17th_digit():
    assert sex_of(_id("15030219800101123")) == "M"
    assert sex_of(_id("15030219800101124")) == "F"


def test_masks():
    assert mask_id_number("15030219800101123X") == "150302********123X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("") == "" and mask_phone(None) == ""


# The bulk-intake fast paths agree with the reference validators.
from wuhai_coverage.core.validators import fast_id_number, fast_uscc  # noqa: E402


@given(st.text(alphabet=USCC_ALPHABET + "abcxyzIOS-１ ", min_size=16, max_size=19))
@settings(max_examples=300)
def test_fast_uscc_agrees_with_normalize_uscc(value):
    try:
        expected = normalize_uscc(value)
    except InvalidIdentifier:
        expected = None
    if value != value.strip():
        return  # the fast path takes trimmed cells
    assert fast_uscc(value) == expected


@given(uscc_body)
def test_fast_uscc_accepts_every_valid_code(body):
    code = body + uscc_check_char(body)
    assert fast_uscc(code) == code and fast_uscc(code.lower()) == code


@given(st.text(alphabet="0123456789xX", min_size=14, max_size=19))
@settings(max_examples=300)
def test_fast_id_number_agrees_with_normalize_id_number(value):
    try:
        expected = normalize_id_number(value)
    except InvalidIdentifier:
        expected = None
    assert fast_id_number(value) == expected


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)), st.integers(0, 999))
def test_fast_id_number_accepts_generated_ids_and_15_digit_ones(birth, seq):
    first17 = f"150302{birth:%Y%m%d}{seq:03d}"
    code = first17 + ric_check_char(first17)
    assert fast_id_number(code) == code
    if birth.year // 100 == 19:
        legacy = f"150302{birth:%y%m%d}{seq:03d}"
        assert fast_id_number(legacy) == normalize_id_number(legacy)
    assert fast_id_number("150302" + "19990230" + "1234") is None
