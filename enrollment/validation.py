"""Validation and normalisation of roster cells (rosters.md), driven by roster_specs.

`RowChecker(spec, header, refs)` maps the file's header onto the kind's columns (or
raises FileRejected: a required column missing, two headers for one key) and is then
called once per record. It returns the row's values in the row table's column order as
PostgreSQL COPY text (`\\N` for NULL, text escaped) — the cheapest form to stream to
COPY, and trivially turned back into Python values for SQLite — or None when the row is
rejected, plus the issues found (errors reject the row, warnings drop a cell).

Every normaliser takes a trimmed, non-empty cell (str, or a date from an XLSX date cell)
and returns the canonical text or raises Invalid(code, message).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from enrollment import roster_specs
from enrollment.reading import FileRejected, fold
from wuhai_coverage.core.privacy import mask_id_number
from wuhai_coverage.core.validators import (
    RIC_CHECK,
    InvalidIdentifier,
    fast_id_number,
    fast_uscc,
    normalize_id_number,
    normalize_uscc,
    real_ymd_cache,
)

NULL = "\\N"
INT_MAX = 2_147_483_647  # the row tables' IntegerField
MONEY_INT_DIGITS = 14  # DecimalField(max_digits=16, decimal_places=2)
CACHE_LIMIT = 200_000  # distinct date/period strings remembered per file


class Invalid(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Issue:
    row: int
    column: str
    code: str
    message: str
    severity: str  # error / warning


@dataclass(frozen=True)
class References:
    """Reference data the validators need, read once per file."""

    districts: dict[str, str]  # code or name → code
    streets: dict[str, str]  # NBS street code → district code
    divisions: dict[str, str]  # two digits ('06') → section letter ('B')

    @classmethod
    def load(cls) -> References:
        from wuhai_coverage.core.models import District, IndustryDivision, Street

        districts: dict[str, str] = {}
        for code, name in District.objects.values_list("code", "name"):
            districts[code] = code
            districts[name] = code
        streets = dict(Street.objects.values_list("code", "district_id"))
        divisions = {code[1:]: code[0] for code in IndustryDivision.objects.values_list("code", flat=True)}
        return cls(districts=districts, streets=streets, divisions=divisions)


def _show(value) -> str:
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def copy_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


# ----------------------------------------------------------------- normalisers


def norm_text(v) -> str:
    if v.__class__ is not str:
        v = v.isoformat()
    if len(v) > roster_specs.MAX_TEXT:
        raise Invalid(
            "too_long",
            _("超过%(limit)s个字符（%(length)s）") % {"limit": roster_specs.MAX_TEXT, "length": len(v)},
        )
    if "\\" in v or not v.isprintable():
        v = copy_escape(v)
    return v


def norm_uscc(v) -> str:
    code = fast_uscc(v) if v.__class__ is str else None
    if code is None:
        try:
            normalize_uscc(_show(v))
            reason = _("统一社会信用代码无效")
        except InvalidIdentifier as exc:
            reason = str(exc)
        raise Invalid("invalid_uscc", f"{reason}：{_show(v)}")
    return code


def norm_id_number(v) -> str:
    code = fast_id_number(v) if v.__class__ is str else None
    if code is None:
        try:
            normalize_id_number(_show(v))
            reason = _("身份证号无效")
        except InvalidIdentifier as exc:
            reason = str(exc)
        raise Invalid("invalid_id_number", f"{reason}：{mask_id_number(_show(v))}")
    return code


def norm_phone(v) -> str:
    p = v.replace(" ", "").replace("-", "") if v.__class__ is str else ""
    if p.startswith("+86"):
        p = p[3:]
    if len(p) == 11 and p.isascii() and p.isdigit() and p[0] == "1" and p[1] in "3456789":
        return p
    raise Invalid("invalid_phone", _("手机号码应为11位大陆手机号"))


def norm_integer(v) -> str:
    if v.__class__ is str and v.isascii() and v.isdigit():
        n = int(v)
        if n <= INT_MAX:
            return str(n)
    raise Invalid("invalid_number", _("应为不小于0的整数：%(value)s") % {"value": _show(v)})


_MONEY = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?").fullmatch


def norm_money(v) -> str:
    m = _MONEY(v) if v.__class__ is str and v.isascii() else None
    if m is not None:
        whole = m.group(1).replace(",", "").lstrip("0") or "0"
        if len(whole) <= MONEY_INT_DIGITS:
            return whole + (m.group(2) or "")
    raise Invalid("invalid_number", _("金额应为不小于0、至多两位小数的元：%(value)s") % {"value": _show(v)})


_DATE_SLASH = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})").fullmatch
_DATE_DASH = re.compile(r"(\d{4})-(\d{2})-(\d{2})").fullmatch
_DATE_PLAIN = re.compile(r"(\d{4})(\d{2})(\d{2})").fullmatch


def _parse_date(v: str) -> str | None:
    m = _DATE_DASH(v) or _DATE_PLAIN(v) or _DATE_SLASH(v)
    if m is None or not v.isascii():
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


_PERIOD = re.compile(r"(\d{4})[-/]?(\d{2})").fullmatch


def _parse_period(v: str) -> str | None:
    m = _PERIOD(v) if v.isascii() else None
    if m is None or not 1 <= int(m.group(2)) <= 12 or (len(v) == 7 and v[4] not in "-/"):
        return None
    return m.group(1) + m.group(2)


def _cached(parse: Callable[[str], str | None], code: str, message: str, from_date: Callable[[dt.date], str]):
    cache: dict[str, str | None] = {}

    def norm(v) -> str:
        if v.__class__ is str:
            out = cache.get(v, "")
            if out == "":
                out = parse(v)
                if len(cache) < CACHE_LIMIT:
                    cache[v] = out
            if out is not None:
                return out
        elif isinstance(v, dt.date):
            return from_date(v)
        raise Invalid(code, f"{message}：{_show(v)}")

    norm.cache = cache  # type: ignore[attr-defined]  # read directly by the generated row function
    return norm


_PROJECT = re.compile(r"[A-Za-z0-9-]{1,40}").fullmatch


def norm_project_code(v) -> str:
    if v.__class__ is str and _PROJECT(v):
        return v
    raise Invalid(
        "invalid_format", _("项目编号应为1–40位字母、数字或连字符：%(value)s") % {"value": _show(v)}
    )


def choice_normaliser(table: dict[str, str]) -> Callable:
    allowed = "、".join(dict.fromkeys(table))

    def norm(v) -> str:
        if v.__class__ is str:
            out = table.get(v)
            if out is None:
                out = table.get(v.lower())
            if out is not None:
                return out
        raise Invalid(
            "invalid_choice",
            _("取值无效：%(value)s（可选：%(allowed)s）") % {"value": _show(v), "allowed": allowed},
        )

    return norm


def district_normaliser(refs: References) -> Callable:
    table = refs.districts

    def norm(v) -> str:
        out = table.get(v) if v.__class__ is str else None
        if out is None:
            raise Invalid("unknown_region", _("不是乌海市的区：%(value)s") % {"value": _show(v)})
        return out

    return norm


def street_normaliser(refs: References) -> Callable:
    table = refs.streets

    def norm(v) -> str:
        if v.__class__ is str and v in table:
            return v
        raise Invalid(
            "unknown_region", _("不是乌海市的街道代码（统计用区划代码）：%(value)s") % {"value": _show(v)}
        )

    return norm


def industry_normaliser(refs: References) -> Callable:
    divisions = refs.divisions
    cache: dict[str, str | None] = {}

    def parse(v: str) -> str | None:
        u = v.upper()
        letter = u[0] if u[:1].isalpha() else ""
        digits = u[1:] if letter else u
        if not (digits.isascii() and digits.isdigit() and 2 <= len(digits) <= 4):
            return None
        section = divisions.get(digits[:2])
        if section is None or (letter and letter != section):
            return None
        return section + digits

    def norm(v) -> str:
        if v.__class__ is str:
            if v not in cache and len(cache) < CACHE_LIMIT:
                cache[v] = parse(v)
            out = cache[v] if v in cache else parse(v)
            if out is not None:
                return out
        raise Invalid("invalid_format", _("不是 GB/T 4754-2017 行业代码：%(value)s") % {"value": _show(v)})

    norm.cache = cache  # type: ignore[attr-defined]
    return norm


def normaliser_for(col: roster_specs.Column, refs: References) -> Callable:
    t = col.type
    if t == roster_specs.TEXT:
        return norm_text
    if t == roster_specs.USCC:
        return norm_uscc
    if t == roster_specs.ID_NUMBER:
        return norm_id_number
    if t == roster_specs.PHONE:
        return norm_phone
    if t == roster_specs.INTEGER:
        return norm_integer
    if t == roster_specs.MONEY:
        return norm_money
    if t == roster_specs.DATE:
        return _cached(
            _parse_date,
            "invalid_date",
            _("日期应为 YYYY-MM-DD、YYYY/M/D 或 YYYYMMDD"),
            lambda d: d.isoformat(),
        )
    if t == roster_specs.PERIOD:
        return _cached(
            _parse_period,
            "invalid_period",
            _("所属期应为 YYYY-MM、YYYYMM 或 YYYY/MM"),
            lambda d: f"{d.year:04d}{d.month:02d}",
        )
    if t in (roster_specs.CHOICE, roster_specs.BOOLEAN):
        return choice_normaliser(col.choices)
    if t == roster_specs.PROJECT_CODE:
        return norm_project_code
    if t == roster_specs.DISTRICT:
        return district_normaliser(refs)
    if t == roster_specs.STREET:
        return street_normaliser(refs)
    if t == roster_specs.INDUSTRY:
        return industry_normaliser(refs)
    raise ValueError(f"no normaliser for column type {t!r}")


# ------------------------------------------------------------ the key of a row


# Each key part becomes an int below its radix so that the key of a row is one exact
# int (a compact entry in the duplicate set), not a tuple of strings. Templates take the
# column's COPY text as {c}.
def _key_part(col: roster_specs.Column, env: dict, name: str) -> tuple[str, int] | None:
    if col.type == roster_specs.USCC:
        return "int({c}[:17], 36)", 36**17  # the 18th character is the check
    if col.type == roster_specs.ID_NUMBER:
        return "int({c}[:17])", 10**17
    if col.type == roster_specs.PERIOD:
        return "int({c})", 1_000_000
    if col.type == roster_specs.DATE:
        env["_ordinal"] = lambda s: dt.date.fromisoformat(s).toordinal()
        return "_ordinal({c})", 4_000_000
    if col.type == roster_specs.CHOICE:
        values = sorted(set(col.choices.values()))
        env[name] = {v: i for i, v in enumerate(values)}
        return name + "[{c}]", len(values)
    return None


def _fast_path(
    col: roster_specs.Column, norm: Callable, refs: References, all_text: bool
) -> tuple[str, object] | None:
    """An expression (value in `v`, helper object in `$F`) giving the normalised value on
    the common path or None; the normaliser proper then decides (and explains)."""
    t = col.type
    guard = "" if all_text else " if v.__class__ is str else None"
    if t in (roster_specs.CHOICE, roster_specs.BOOLEAN):
        return "$F.get(v)", col.choices
    if t == roster_specs.DISTRICT:
        return "$F.get(v)", refs.districts
    if t == roster_specs.STREET:
        return "$F.get(v)", {code: code for code in refs.streets}
    if t in (roster_specs.DATE, roster_specs.PERIOD, roster_specs.INDUSTRY):
        return "$F.get(v)", norm.cache  # type: ignore[attr-defined]
    if t == roster_specs.USCC:
        return "$F(v)" + guard, fast_uscc
    if t == roster_specs.ID_NUMBER:
        # The common case inline (18 digits, check digit right, birth date known real);
        # everything else (x, 15 digits, a first-seen birth date) goes to fast_id_number.
        return (
            "(v if len(v) == 18 and v.isascii() and v[:17].isdigit() and v[17] == RIC_CHECK[2 * int(v[:17], 13) % 11]"
            " and REAL_YMD.get(v[6:14]) else $F(v))" + guard
        ), fast_id_number
    if t == roster_specs.MONEY:
        return (
            "(v if len(v) < 15 and v.isdigit() and v.isascii() and (v[0] != '0' or len(v) == 1) else None)"
            + guard
        ), None
    if t == roster_specs.INTEGER:
        return (
            "(v if len(v) < 10 and v.isdigit() and v.isascii() and (v[0] != '0' or len(v) == 1) else None)"
            + guard
        ), None
    if t == roster_specs.PHONE:
        return (
            "(v if len(v) == 11 and v.isdigit() and v.isascii() and v[0] == '1' and v[1] in '3456789' "
            "else None)" + guard
        ), None
    return None


# ------------------------------------------------------------ the row checker


@dataclass
class _Plan:
    index: int  # cell index in the file, -1 when the column is absent
    col: roster_specs.Column
    norm: Callable
    rejects: bool  # an invalid value rejects the row (required, or a district)
    empty: str  # stored for an empty cell (NULL or the column's default)


class RowChecker:
    """Maps a header to the kind's columns and checks one record at a time.

    `check(cells, line)` (any cells) and `check_text(cells, line)` (all cells str, the
    CSV case) return (text, key, issues): text is the row as a line of COPY text (None
    when the row is rejected), key its natural key as a compact value, issues a list
    or None."""

    def __init__(self, spec: roster_specs.KindSpec, header: list[str], refs: References):
        self.spec = spec
        self._refs = refs
        lookup = roster_specs.header_lookup(spec)
        index: dict[str, int] = {}
        given: dict[str, str] = {}
        ignored: list[str] = []
        for i, raw in enumerate(header):
            name = fold(raw).strip()
            if not name:
                continue
            key = lookup.get(name.lower())
            if key is None:
                ignored.append(name)
                continue
            if key in index:
                raise FileRejected(
                    _("表头“%(first)s”和“%(second)s”都对应列 %(column)s")
                    % {"first": given[key], "second": name, "column": key}
                )
            index[key] = i
            given[key] = name
        missing = [c for c in spec.columns if c.required and c.key not in index]
        if missing:
            names = "、".join(f"{c.key}（{c.aliases[0] if c.aliases else c.key}）" for c in missing)
            raise FileRejected(_("缺少必填列：%(names)s") % {"names": names})
        self.ignored_columns = ignored
        self.plans = [
            _Plan(
                index.get(c.key, -1),
                c,
                normaliser_for(c, refs),
                c.required or c.type == roster_specs.DISTRICT,
                c.default if c.default is not None else NULL,
            )
            for c in spec.columns
        ]
        keys = [c.key for c in spec.columns]
        self.columns = keys + (["birth_date", "sex"] if spec.derive_person else [])
        self.key_column = spec.key[0]
        self._pos = {k: i for i, k in enumerate(keys)}
        present = [p.index for p in self.plans if p.index >= 0]
        self._max_index = max(present) if present else -1
        self._header = header
        self.check = self._compile(all_text=False)
        self.check_text = self._compile(all_text=True)
        self.check_lines = self._compile(all_text=True, lines=True)
        self.check_bare = self._compile(all_text=True, lines=True, bare=True)
        self.bare_longest = roster_specs.MAX_TEXT  # check_bare takes no line longer than this

    def _compile(self, all_text: bool, lines: bool = False, bare: bool = False) -> Callable:
        """Generate the row function for this kind and header: straight-line code, one
        block per column, with an inline fast path per type and the normaliser as the
        fallback. A generic loop over the columns costs ~2.5x as much per row, and
        this is the hot path of the intake.

        With `lines`, the function is `check_lines` (see there): the same per-row code
        inside a loop over plain CSV lines, which splits each line itself, de-duplicates
        the keys and appends the COPY lines — no call, tuple or list per row. With
        `bare` too, it is `check_bare`, for lines known to hold only printable characters
        other than space and backslash, none longer than MAX_TEXT: no cell to trim, no
        text to escape or to measure (reading.Lines.bare)."""
        env: dict = {
            "Invalid": Invalid,
            "Issue": Issue,
            "_bad": _bad,
            "_required": _required,
            "_too_long": _too_long,
            "RIC_CHECK": RIC_CHECK,
            "REAL_YMD": real_ymd_cache,
            "copy_escape": copy_escape,
            "MAX_TEXT": roster_specs.MAX_TEXT,
            "BACKSLASH": "\\",
            "NULL": NULL,
            "self": self,
        }
        width = self._max_index + 1
        # Per row code is written at this indentation: 4 in a row function, 8 in the loop.
        pad = "        " if lines else "    "
        if lines:
            used = {p.index for p in self.plans if p.index >= 0}
            header_width = max(len(self._header), width)
            unpack = ", ".join(f"x{i}" if i in used else "_" for i in range(header_width))
            src = [
                "def check_lines(lines, line, seen, append, pending, prefix, duplicate):",
                "    total = loaded = dropped = warnings = 0",
                "    add = seen.add",
                "    size = len(seen)",
                "    for text in lines:",
                "        line += 1",
                "        cells = text.split(',')",
                "        first = cells[0]",
                "        if not first or first.isspace():" if not bare else "        if not first:",
                "            if not any(map(str.strip, cells)):"
                if not bare
                else "            if not any(cells):",
                "                continue  # a blank line: skipped and not counted",
                "        total += 1",
                f"        if len(cells) == {header_width}:",
                f"            {unpack}{',' if header_width == 1 else ''} = cells",
                "        else:",
                *(
                    [
                        f"            if len(cells) < {width}:",
                        f"                cells += [''] * ({width} - len(cells))",
                    ]
                    if width
                    else []
                ),
                *[f"            x{i} = cells[{i}]" for i in sorted(used)],
                "        issues = None",
                "        rejected = False",
            ]
        else:
            src = ["def check(cells, line):", "    issues = None", "    rejected = False"]
            if width:
                src += [
                    f"    if len(cells) < {width}:",
                    f"        cells = list(cells) + [''] * ({width} - len(cells))",
                ]
        body: list[str] = []
        names = []
        for j, p in enumerate(self.plans):
            c = f"c{j}"
            names.append(c)
            env[f"E{j}"] = p.empty
            env[f"K{j}"] = p.col.key
            if p.index < 0:
                body.append(f"    {c} = E{j}")
                continue
            env[f"N{j}"] = p.norm
            if bare:
                body.append(f"    v = x{p.index}")
            elif lines:
                body.append(f"    v = x{p.index}.strip()")
            elif all_text:
                body.append(f"    v = cells[{p.index}].strip()")
            else:
                body += [f"    v = cells[{p.index}]", "    if v.__class__ is str:", "        v = v.strip()"]
            body.append("    if v:")
            bad = [
                f"            {c} = E{j}",
                f"            issues = _bad(issues, line, K{j}, e, {p.rejects})",
                *(["            rejected = True"] if p.rejects else []),
            ]
            fast = _fast_path(p.col, p.norm, self._refs, all_text)
            if p.col.type == roster_specs.TEXT and bare:
                body.append(f"        {c} = v")
            elif p.col.type == roster_specs.TEXT:
                if not all_text:
                    body += ["        if v.__class__ is not str:", "            v = v.isoformat()"]
                body += [
                    "        if len(v) > MAX_TEXT:",
                    "            e = _too_long(v)",
                    *bad,
                    "        elif BACKSLASH in v or not v.isprintable():",
                    f"            {c} = copy_escape(v)",
                    "        else:",
                    f"            {c} = v",
                ]
            elif fast is not None:
                expr, env[f"F{j}"] = fast
                body += [
                    f"        {c} = {expr.replace('$F', f'F{j}')}",
                    f"        if {c} is None:",
                    "            try:",
                    f"                {c} = N{j}(v)",
                    "            except Invalid as e:",
                    *["    " + line for line in bad],
                ]
            else:
                body += ["        try:", f"            {c} = N{j}(v)", "        except Invalid as e:", *bad]
            body += ["    else:", f"        {c} = E{j}"]
            if p.col.required:
                body += [f"        issues = _required(issues, line, K{j})", "        rejected = True"]
        pos = self._pos
        if "street_code" in pos and "district_code" in pos:
            cs, cd = f"c{pos['street_code']}", f"c{pos['district_code']}"
            env["STREETS"] = self._refs.streets
            body += [
                f"    if {cs} is not NULL and {cd} is not NULL and STREETS.get({cs}) != {cd}:",
                f"        {cs}, rejected, issues = self._street_mismatch({cs}, {cd}, line, rejected, issues)",
            ]
        for col in self.spec.columns:
            if col.required_if:
                other, values = col.required_if
                env[f"REQ_{col.key}"] = values
                c, co = f"c{pos[col.key]}", f"c{pos[other]}"
                body += [
                    f"    if {c} is NULL and {co} in REQ_{col.key}:",
                    f"        issues = self._conditional_missing({col.key!r}, {co}, line, issues)",
                    "        rejected = True",
                ]
        if lines:
            body += [
                "    if rejected:",
                "        dropped += 1",
                "        pending.extend(issues)",
                "        continue",
            ]
        else:
            body += ["    if rejected:", "        return None, None, issues"]
        if self.spec.derive_person:
            cid = f"c{pos['id_number']}"
            body += [
                f"    birth = {cid}[6:10] + '-' + {cid}[10:12] + '-' + {cid}[12:14]",
                f"    sex = 'M' if {cid}[16] in '13579' else 'F'",
            ]
            names += ["birth", "sex"]
        parts = [_key_part(self.spec.column(k), env, f"KEYIDX{i}") for i, k in enumerate(self.spec.key)]
        cells_of_key = [f"c{pos[k]}" for k in self.spec.key]
        numeric = [p for p in parts if p is not None]
        if len(numeric) < len(parts):
            key = cells_of_key[0] if len(parts) == 1 else f"({', '.join(cells_of_key)},)"
        else:
            key = numeric[0][0].format(c=cells_of_key[0])
            for (template, radix), c in zip(numeric[1:], cells_of_key[1:], strict=True):
                key = f"({key}) * {radix} + {template.format(c=c)}"
        if lines:
            env["KEY_COLUMN"] = self.key_column
            row = "\\t".join("{" + n + "}" for n in names)
            body += [
                f"    add({key})",
                "    if len(seen) == size:",
                "        dropped += 1",
                "        if issues:",
                "            pending.extend(issues)",
                "        pending.append(Issue(line, KEY_COLUMN, 'duplicate_key', duplicate, 'error'))",
                "        continue",
                "    size += 1",
                "    if issues:  # warnings of a loaded row: cells dropped",
                "        warnings += len(issues)",
                "        pending.extend(issues)",
                "    loaded += 1",
                f"    append(f'{{prefix}}{row}\\n')",
            ]
            src += [pad[4:] + b if b else b for b in body]
            src.append("    return total, loaded, dropped, warnings")
        else:
            src += body
            src.append(f"    return '\\t'.join(({', '.join(names)},)), {key}, issues")
        source = "\n".join(src)
        if bare:
            self.bare_source = source
        elif lines:
            self.lines_source = source
        else:
            self.source = source
        exec(source, env)  # noqa: S102 — generated from the specs above, no file content in it
        return env["check_lines" if lines else "check"]

    def _street_mismatch(self, street, district, line, rejected, issues):
        issues = issues or []
        message = _("街道 %(street)s 不属于区 %(district)s") % {"street": street, "district": district}
        if self.spec.column("street_code").required:
            issues.append(Issue(line, "street_code", "unknown_region", message, "error"))
            return street, True, issues
        issues.append(Issue(line, "street_code", "unknown_region", message + dropped_suffix(), "warning"))
        return NULL, rejected, issues

    def _conditional_missing(self, key: str, other_value: str, line: int, issues):
        """The cell is required for this row: an empty cell is `required`; an invalid one,
        reported as a warning while checking, becomes the error."""
        col = self.spec.column(key)
        found = [i for i in (issues or []) if i.column == key and i.severity == "warning"]
        issues = [i for i in (issues or []) if i not in found]
        if found:
            issues.append(
                Issue(line, key, found[0].code, found[0].message.removesuffix(dropped_suffix()), "error")
            )
        else:
            assert col.required_if is not None  # only columns with required_if come here
            other = col.required_if[0]
            issues.append(
                Issue(
                    line,
                    key,
                    "required",
                    _("%(other)s为%(value)s时必填") % {"other": other, "value": other_value},
                    "error",
                )
            )
        return issues


def dropped_suffix() -> str:
    """Added to a warning's message: the cell's value was not loaded."""
    return _("（已忽略该值）")


def _bad(issues: list[Issue] | None, line: int, key: str, exc: Invalid, rejects: bool) -> list[Issue]:
    issues = issues or []
    if rejects:
        issues.append(Issue(line, key, exc.code, exc.message, "error"))
    else:
        issues.append(Issue(line, key, exc.code, exc.message + dropped_suffix(), "warning"))
    return issues


def _required(issues: list[Issue] | None, line: int, key: str) -> list[Issue]:
    issues = issues or []
    issues.append(Issue(line, key, "required", _("必填项为空"), "error"))
    return issues


def _too_long(v: str) -> Invalid:
    return Invalid(
        "too_long",
        f"超过{roster_specs.MAX_TEXT}个字符（{len(v)}）/ longer than {roster_specs.MAX_TEXT} characters",
    )


_UNESCAPE = re.compile(r"\\(.)").sub
_UNESCAPES = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}


def values_from_copy(line_values: list[str]) -> list:
    """COPY text values back to Python values (NULL → None, unescaped) for SQLite."""
    out: list[str | None] = []
    for v in line_values:
        if v == NULL:
            out.append(None)
        elif "\\" in v:
            out.append(_UNESCAPE(lambda m: _UNESCAPES[m.group(1)], v))
        else:
            out.append(v)
    return out
