"""Reading a roster file: format and encoding detection, and a stream of records.

`open_roster(path)` sniffs the file (XLSX by its zip signature, everything else as CSV),
checks the whole CSV decodes as UTF-8 (with or without BOM) or else GB18030, and returns
a `RosterFile` whose `header` is the first line and whose `records()` yields, one at a
time, `(line, cells)` for each record (line = where the record starts, header = 1) or a
`Malformed` for a record that cannot be split into cells. Cells come trimmed of nothing
but with full-width forms already folded to ASCII (rosters.md → Files).

CSV is split by hand rather than with the csv module so that the contract's rules for
malformed records hold exactly: a stray quote, a NUL byte or an oversized cell rejects
that record only, and an unclosed quote at the end is one rejected record. A line
without a quote character — nearly every line of a real export — is split with
str.split, which is what makes the reader fast.

Memory stays bounded: one record at a time for CSV (a quoted record is held only up to
MAX_RECORD_CHARS), and python-calamine for XLSX (it holds one sheet; an XLSX sheet
cannot exceed 1,048,576 rows).
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.utils.translation import gettext


def _(message: str) -> str:
    """gettext (Chinese msgids, the English in the catalogue) where Django runs; the msgid
    itself in a bare interpreter — this module reads files without Django set up too (the
    hostile-file memory probe, bench/hostile_files.py)."""
    return gettext(message) if apps.ready else message


# A cell longer than this is not a roster value but a broken or hostile record.
MAX_CELL_CHARS = 100_000
# A quoted record spanning lines is held up to this size; beyond, it is only skipped.
MAX_RECORD_CHARS = 1_000_000
# Encoding check reads the file in blocks of this size (bounded memory).
DECODE_BLOCK = 4 * 1024 * 1024
# CSV text is read and split into lines in blocks of this many characters.
READ_BLOCK = 1 << 20
# Binary sniffing looks at the start of the file.
SNIFF_BYTES = 64 * 1024

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, .doc

# Full-width forms U+FF01–FF5E → ASCII, U+3000 → space (rosters.md → Files).
FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_NEEDS_FOLD = re.compile("[\uff01-\uff5e\u3000]").search


class FileRejected(Exception):
    """The file cannot be used at all; the message (Chinese / English) says why."""


@dataclass(frozen=True)
class Malformed:
    line: int
    message: str
    code: str = "invalid_format"


def fold(value: str) -> str:
    return value.translate(FOLD) if _NEEDS_FOLD(value) else value


@dataclass
class RosterFile:
    path: Path
    file_format: str  # csv / xlsx
    encoding: str = ""
    header: list[str] = field(default_factory=list)
    _records: Iterator | None = None
    _state: list | None = None  # the CSV reader's state (see _csv_records)

    def records(self) -> Iterator[tuple[int, list] | Malformed]:
        assert self._records is not None
        return self._records

    def batches(self) -> Iterator[tuple[int, list] | Malformed | Lines]:
        """records(), except that a run of plain lines may come as one `Lines` (CSV only):
        lines without quotes, full-width forms, NUL or an oversized line — nearly every
        line of a real export — for RowChecker.check_lines to split and check in one loop."""
        assert self._records is not None
        if self._state is not None:
            self._state[2] = self._state[3] = True
        return self._records


@dataclass(frozen=True)
class Lines:
    """Consecutive plain records, one per physical line, the first at line `start`: each
    splits on commas into its cells as they are (no quote, nothing to fold, no NUL, no
    cell longer than MAX_CELL_CHARS). Blank lines may be among them."""

    start: int
    lines: list[str]
    longest: int = 0  # characters in the longest line
    bare: bool = False  # only printable characters, no space, no backslash: nothing to trim or escape


def open_roster(path: str | Path) -> RosterFile:
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if not head:
        raise FileRejected(_("文件为空"))
    if head.startswith(ZIP_MAGIC):
        return _open_xlsx(path)
    if head.startswith(OLE_MAGIC):
        raise FileRejected(_("不支持旧版 Excel (.xls) 文件，请另存为 XLSX 或 CSV"))
    return _open_csv(path, head)


# --------------------------------------------------------------------------- CSV


def detect_encoding(path: Path) -> str:
    """utf-8-sig strictly, else gb18030 strictly, over the whole file (streaming)."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        try:
            with open(path, "rb") as fh:
                while block := fh.read(DECODE_BLOCK):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileRejected(_("无法识别文件编码（应为 UTF-8 或 GBK/GB18030）"))


_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _looks_binary(head: bytes) -> bool:
    """Control bytes in the header line, or more than a few in the start of the file:
    an image, an executable, a UTF-16 export — not a CSV (stray NULs in a data row
    only reject that row)."""
    first_line = head.split(b"\n", 1)[0]
    if _CONTROL_BYTES.search(first_line):
        return True
    return len(_CONTROL_BYTES.findall(head)) > max(8, len(head) // 100)


def _open_csv(path: Path, head: bytes) -> RosterFile:
    if _looks_binary(head):
        raise FileRejected(_("文件不是 CSV 文本或 XLSX 工作簿（含二进制内容）"))
    encoding = detect_encoding(path)
    # Universal newlines: \r\n and \r become \n (also inside quoted cells).
    fh = open(path, encoding=encoding, errors="strict", newline=None)  # noqa: SIM115 — closed by the generator
    state = [False, False, False, False]
    lines = _csv_records(fh, state)
    header_record = _next_record(lines)
    while (
        header_record is not None
        and not isinstance(header_record, Malformed)
        and not any(c.strip() for c in header_record[1])
    ):
        header_record = _next_record(lines)  # blank lines before the header
    if header_record is None:
        fh.close()
        raise FileRejected(_("文件没有表头"))
    if isinstance(header_record, Malformed):
        fh.close()
        raise FileRejected(_("表头无法解析：%(reason)s") % {"reason": header_record.message})
    max_cols = _limits()[1]
    if len(header_record[1]) > max_cols:
        fh.close()
        raise FileRejected(
            _("表头有 %(columns)s 列，超过名册上限 %(limit)s 列")
            % {"columns": len(header_record[1]), "limit": max_cols}
        )
    label = "utf-8" if encoding == "utf-8-sig" else encoding
    return RosterFile(
        path=path, file_format="csv", encoding=label, header=header_record[1], _records=lines, _state=state
    )


def _next_record(records: Iterator) -> tuple[int, list[str]] | Malformed | None:
    record = next(records, None)
    assert not isinstance(record, Lines)  # not before RosterFile.batches() asks for them
    return record


class _Incomplete:
    """The type of INCOMPLETE: a quoted cell is still open at the end of the text."""


INCOMPLETE = _Incomplete()


def record_too_long() -> str:
    return _("记录超过%(limit)s个字符") % {"limit": MAX_RECORD_CHARS}


def cell_too_long() -> str:
    return _("单元格超过%(limit)s个字符") % {"limit": MAX_CELL_CHARS}


TOO_BIG = "too_big"  # a quoted record longer than MAX_RECORD_CHARS


def _split_quoted(text: str) -> list[str] | None | _Incomplete:
    """Split one CSV record that contains quotes. Returns the cells, None when the
    record is malformed, or INCOMPLETE when a quoted cell is still open at the end."""
    cells: list[str] = []
    n = len(text)
    i = 0
    while True:
        j = i
        while j < n and text[j] == " ":
            j += 1
        if j < n and text[j] == '"':
            start = j + 1
            parts = []
            while True:
                k = text.find('"', start)
                if k < 0:
                    return INCOMPLETE
                parts.append(text[start:k])
                if k + 1 < n and text[k + 1] == '"':
                    parts.append('"')
                    start = k + 2
                    continue
                i = k + 1
                break
            cells.append("".join(parts))
            while i < n and text[i] == " ":
                i += 1
            if i == n:
                return cells
            if text[i] != ",":
                return None  # text after a closing quote
            i += 1
            if i == n:
                cells.append("")
                return cells
            continue
        k = text.find(",", i)
        cell = text[i:] if k < 0 else text[i:k]
        if '"' in cell:
            return None  # a quote inside an unquoted cell
        cells.append(cell)
        if k < 0:
            return cells
        i = k + 1


@dataclass(frozen=True)
class LongLine:
    """Stands for a physical line longer than MAX_RECORD_CHARS, which was skipped without
    being held: how many quote characters it had (a quoted record may go on after it)."""

    quotes: int


def _physical_lines(fh, fold_state: list[bool]) -> Iterator[str | LongLine | Lines]:
    """The file's lines without terminators, read in blocks. The file is opened with
    universal newlines, so \r\n and a lone \r arrive as \n. fold_state[0] tells the
    consumer whether the current block has any full-width character at all, and
    fold_state[1] whether it has a NUL — most blocks have neither, and then no line of
    them needs the per-line check. A line longer than MAX_RECORD_CHARS (a file of one
    endless line, say) is never held: it comes as a LongLine. When fold_state[2] is true
    (the consumer takes whole blocks and is between records), the lines of a block that
    has no quote, full-width form, NUL nor line longer than MAX_CELL_CHARS come as one
    Lines (its `start` is left 0: the consumer counts the lines)."""
    carry = ""
    skipping: int | None = None  # quotes counted so far in a line being skipped
    while block := fh.read(READ_BLOCK):
        if skipping is not None:
            end = block.find("\n")
            if end < 0:
                skipping += block.count('"')
                continue
            yield LongLine(skipping + block.count('"', 0, end))
            skipping, block = None, block[end + 1 :]
        fold_state[0] = _NEEDS_FOLD(block) is not None or _NEEDS_FOLD(carry) is not None
        fold_state[1] = "\x00" in block or "\x00" in carry
        text = carry + block
        lines = text.split("\n")
        carry = lines.pop()
        if lines and not fold_state[0] and not fold_state[1] and '"' not in text:
            longest = max(map(len, lines))
            if longest <= MAX_CELL_CHARS:
                bare = " " not in text and "\\" not in text and text.replace("\n", "").isprintable()
                if fold_state[2]:
                    yield Lines(0, lines, longest, bare)
                else:  # one by one until the consumer takes Lines (the header is read so)
                    for i, line in enumerate(lines, 1):
                        yield line
                        if fold_state[2]:
                            if i < len(lines):
                                yield Lines(0, lines[i:], longest, bare)
                            break
                lines = []
        yield from lines
        if len(carry) > MAX_RECORD_CHARS:
            skipping, carry = carry.count('"'), ""
    if skipping is not None:
        yield LongLine(skipping)
    elif carry:
        fold_state[0] = _NEEDS_FOLD(carry) is not None
        fold_state[1] = "\x00" in carry
        yield carry


def _csv_records(fh, fold_state: list[bool]) -> Iterator[tuple[int, list[str]] | Malformed | Lines]:
    """(line, cells) per record; cells folded, not trimmed. fold_state: the current block
    has [0] a full-width character, [1] a NUL; [2] whole blocks may come as Lines now,
    [3] the consumer takes Lines (RosterFile.batches) — [2] is off inside a quoted record."""
    line_no = 0
    needs_fold = _NEEDS_FOLD
    fold_table = FOLD
    try:
        it = _physical_lines(fh, fold_state)
        for line in it:
            if isinstance(line, Lines):
                yield Lines(line_no + 1, line.lines, line.longest, line.bare)
                line_no += len(line.lines)
                continue
            line_no += 1
            long_start = False
            if isinstance(line, LongLine):
                if line.quotes % 2 == 0:
                    yield Malformed(line_no, record_too_long(), "too_long")
                    continue
                line, long_start = '"', True  # odd quotes: a quoted record goes on, held no longer
            if '"' not in line:
                if fold_state[1] and "\x00" in line:
                    yield Malformed(line_no, _("记录含空字符(NUL)"))
                    continue
                cells = line.split(",")
                if len(line) > MAX_CELL_CHARS and max(map(len, cells)) > MAX_CELL_CHARS:
                    yield Malformed(line_no, cell_too_long(), "too_long")
                    continue
                if fold_state[0] and needs_fold(line):
                    cells = [c.translate(fold_table) for c in cells]
                yield line_no, cells
                continue
            # A record with quotes, possibly spanning lines.
            start = line_no
            parts: list[str] | None = None if long_start else [line]
            size = len(line)
            quotes = line.count('"')
            result: list[str] | str | None | _Incomplete = (
                _split_quoted(line) if parts is not None else INCOMPLETE
            )
            fold_state[2] = False  # the record's next lines come one by one
            while result is INCOMPLETE:
                nxt = next(it, None)
                if nxt is None:
                    yield Malformed(start, _("引号未闭合，直到文件末尾"))
                    return
                line_no += 1
                if isinstance(nxt, LongLine):
                    quotes += nxt.quotes
                    parts = None
                    if quotes % 2 == 0:
                        result = TOO_BIG
                    continue
                assert not isinstance(nxt, Lines)  # fold_state[2] is off inside a record
                quotes += nxt.count('"')
                if parts is not None:
                    size += len(nxt) + 1
                    if size > MAX_RECORD_CHARS:
                        parts = None  # keep skipping until the quote closes, holding nothing
                    else:
                        parts.append(nxt)
                if quotes % 2 == 0:
                    result = TOO_BIG if parts is None else _split_quoted("\n".join(parts))
            fold_state[2] = fold_state[3]
            if result == TOO_BIG:
                yield Malformed(start, record_too_long(), "too_long")
                continue
            if not isinstance(result, list):  # None: the quotes do not pair up
                yield Malformed(start, _("引号不匹配"))
                continue
            if any("\x00" in c for c in result):
                yield Malformed(start, _("记录含空字符(NUL)"))
                continue
            if max(map(len, result)) > MAX_CELL_CHARS:
                yield Malformed(start, cell_too_long(), "too_long")
                continue
            yield start, [c.translate(fold_table) for c in result] if any(map(needs_fold, result)) else result
    finally:
        fh.close()


# --------------------------------------------------------------------------- XLSX


def xlsx_cell(value) -> str | dt.date:
    """A calamine value as the reader's cell: whole numbers as integer strings, dates
    as dates (the validator turns them into a date or a period), the rest as text."""
    if isinstance(value, str):
        return fold(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value is None:
        return ""
    return str(value)


# --------------------------------------------------------------------------- XLSX pre-checks
#
# An XLSX file is a zip of XML parts, and both readers trust what it declares: calamine
# materialises the first sheet as one rectangle from its top-left to its bottom-right
# cell (two cells, A1 and XFD1048576, are 17 billion cells: the process aborts), openpyxl
# pads every row to the declared `<dimension>`, and both read the shared strings whole.
# So before either reader opens the file, `inspect_xlsx` reads the zip's central
# directory (entry count, names, declared sizes, compression ratio), checks that no XML
# part has a DTD (billion laughs, external entities) with defusedxml, and streams the
# first sheet's XML once through Python's zipfile (which stops at the declared size, so a
# lying header ends in a CRC error) with byte-level searches for the real extent: the
# greatest row and column any cell names, whatever the declared dimension says.

XLSX_MAX_ENTRIES = 1_000  # a workbook from Excel or WPS has 10–30 parts
XLSX_MAX_SHEETS = 255  # a roster is one sheet; workbooks with a few notes sheets are fine
XLSX_MAX_RATIO = 100  # sheet XML deflates ~8–12×; DEFLATE's own ceiling is ~1,030×
XLSX_RATIO_FLOOR = 1 << 20  # the ratio is checked for parts above 1 MiB (tiny parts vary)
XLSX_MAX_WHOLE_PART = 256 << 20  # a part the readers hold whole (shared strings, styles) ≤ 256 MiB
XLSX_MAX_PROLOG = 64 * 1024  # the root element of every XML part starts within 64 KiB
XLSX_SCAN_BLOCK = 1 << 20  # the sheet is scanned in 1 MiB blocks
XLSX_MAX_TAG = 4 << 20  # no tag or text node of a roster is 4 MiB long
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
# calamine holds the whole rectangle (≈ 40 bytes a cell: 385 MB for 300,000 × 12 + strings);
# a sheet whose rectangle is larger than this is streamed by openpyxl instead.
XLSX_CALAMINE_MAX_CELLS = 4_000_000


def _limits() -> tuple[int, int, int]:
    """(max cells, max columns, max uncompressed bytes) from settings when Django is set up."""
    cells, columns, max_bytes = 50_000_000, 200, 512 * 1024 * 1024
    try:
        from django.conf import settings

        if settings.configured:
            cells = getattr(settings, "ROSTER_MAX_CELLS", cells)
            columns = getattr(settings, "ROSTER_MAX_COLUMNS", columns)
            max_bytes = getattr(settings, "ROSTER_MAX_BYTES", max_bytes)
    except ImportError:  # the reader used on its own (bench, scripts)
        pass
    # Sheet XML is ≈ 10× its deflated size: a file at the byte limit may hold 20× in XML.
    return cells, columns, 20 * max_bytes


@dataclass(frozen=True)
class XlsxExtent:
    sheet: str  # the first sheet's part name
    max_row: int  # the greatest row any cell or row element names (0: an empty sheet)
    max_col: int
    cells: int  # `<c>` elements in the sheet

    @property
    def area(self) -> int:
        return self.max_row * self.max_col


def _xlsx_rejected(reason: str) -> FileRejected:
    return FileRejected(_("XLSX 工作簿被拒绝：%(reason)s") % {"reason": reason})


_BAD_NAME = re.compile(r"(^|/)\.\.(/|$)|^/|\\|^[A-Za-z]:|[\x00-\x1f]")


def _check_zip_directory(archive, max_total: int) -> None:
    infos = archive.infolist()
    if len(infos) > XLSX_MAX_ENTRIES:
        raise _xlsx_rejected(
            _("压缩包含 %(entries)s 个条目（上限 %(limit)s）")
            % {"entries": len(infos), "limit": XLSX_MAX_ENTRIES}
        )
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        if _BAD_NAME.search(name):
            raise _xlsx_rejected(_("条目名称不安全（%(name)s）") % {"name": repr(name[:80])})
        if name.lower() in seen:
            raise _xlsx_rejected(_("条目名称重复"))
        seen.add(name.lower())
        if info.flag_bits & 0x1:
            raise _xlsx_rejected(_("条目已加密"))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _xlsx_rejected(_("不支持的压缩方式"))
        size = info.file_size
        total += size
        if size > XLSX_RATIO_FLOOR and size > XLSX_MAX_RATIO * max(info.compress_size, 1):
            raise _xlsx_rejected(
                _("疑似压缩炸弹：条目 %(name)s 声明解压后 %(size)s 字节，压缩比超过 %(ratio)s:1")
                % {"name": name[:80], "size": size, "ratio": XLSX_MAX_RATIO}
            )
        if not _is_worksheet(name) and size > XLSX_MAX_WHOLE_PART:
            raise _xlsx_rejected(
                _("条目 %(name)s 解压后 %(size)s 字节，超过上限") % {"name": name[:80], "size": size}
            )
    if total > max_total:
        raise _xlsx_rejected(
            _("解压后共 %(total)s 字节，超过上限 %(limit)s 字节") % {"total": total, "limit": max_total}
        )


def _is_worksheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


class _RootReached(Exception):
    pass


class _StopAtRoot:
    """An ElementTree parser target that stops at the root element's start tag."""

    def start(self, tag, attrib):
        raise _RootReached

    def end(self, tag):
        pass

    def data(self, data):
        pass

    def close(self):
        pass


def _check_prolog(stream, name: str) -> bytes:
    """Feeds the part's beginning to a defusedxml parser that forbids any DTD, until the
    root element starts (a DTD can only come before it). Returns the bytes read."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser

    parser = DefusedXMLParser(
        target=_StopAtRoot(), forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    head = b""
    try:
        while len(head) < XLSX_MAX_PROLOG:
            block = stream.read(4096)
            if not block:
                parser.close()  # the part ended before any element: an error from expat
                break
            head += block
            parser.feed(block)
    except _RootReached:
        return head
    except zipfile.BadZipFile:
        raise
    except DefusedXmlException:
        raise _xlsx_rejected(
            _("XML 部件 %(name)s 含 DTD 或实体声明（可能是 XML 炸弹或外部实体）") % {"name": name[:80]}
        ) from None
    except Exception:  # expat's ParseError
        raise _xlsx_rejected(_("XML 部件 %(name)s 不是有效的 XML") % {"name": name[:80]}) from None
    raise _xlsx_rejected(
        _("XML 部件 %(name)s 的开头过长或没有根元素（%(limit)s 字节内）")
        % {"name": name[:80], "limit": XLSX_MAX_PROLOG}
    )


def _read_part(archive, name: str, limit: int) -> bytes:
    with archive.open(name) as stream:
        head = _check_prolog(stream, name)
        data = head + stream.read(limit + 1 - len(head))
        if len(data) > limit:
            raise _xlsx_rejected(_("XML 部件 %(name)s 过大") % {"name": name[:80]})
    return data


_SST_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sst[\s>/]")


def _drain(archive, name: str, max_cells: int) -> None:
    """Read a part to its end through zipfile: a part that inflates to more than it
    declares, or to something else, fails here (CRC) and not in a reader. A shared-strings
    table (whatever its part is called) has its counts checked on the way."""
    with archive.open(name) as stream:
        head = _check_prolog(stream, name)
        if _SST_ROOT.search(head):
            _count_shared_strings(stream, head, max_cells)
            return
        while stream.read(XLSX_SCAN_BLOCK):
            pass


_NS = "http://schemas.openxmlformats.org/"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _first_sheet(archive) -> tuple[str, int]:
    """(part name of the first sheet in workbook order, number of sheets)."""
    import posixpath

    from defusedxml.ElementTree import fromstring

    def target(rels_name: str, base: str, wanted) -> dict[str, str]:
        if rels_name not in archive.NameToInfo:
            return {}
        rels = fromstring(_read_part(archive, rels_name, 16 << 20), forbid_dtd=True)
        out = {}
        for rel in rels.iter(f"{_REL_NS}Relationship"):
            if wanted(rel.get("Type", "")):
                tgt = rel.get("Target", "")
                out[rel.get("Id", "")] = (
                    tgt.lstrip("/") if tgt.startswith("/") else posixpath.normpath(posixpath.join(base, tgt))
                )
        return out

    office = target("_rels/.rels", "", lambda t: t.endswith("/officeDocument"))
    workbook_name = next(iter(office.values()), "xl/workbook.xml")
    if workbook_name not in archive.NameToInfo:
        raise FileRejected(_("文件不是有效的 XLSX 工作簿：没有 workbook.xml"))
    workbook = fromstring(_read_part(archive, workbook_name, 16 << 20), forbid_dtd=True)
    sheets = [el for el in workbook.iter() if el.tag.rsplit("}", 1)[-1] == "sheet"]
    if not sheets:
        raise FileRejected(_("XLSX 工作簿中没有工作表"))
    if len(sheets) > XLSX_MAX_SHEETS:
        raise _xlsx_rejected(
            _("工作簿含 %(sheets)s 个工作表（上限 %(limit)s）")
            % {"sheets": len(sheets), "limit": XLSX_MAX_SHEETS}
        )
    base = posixpath.dirname(workbook_name)
    rels_name = posixpath.join(base, "_rels", posixpath.basename(workbook_name) + ".rels")
    by_id = target(rels_name, base, lambda t: t.endswith("/worksheet"))
    rid = next((v for k, v in sheets[0].attrib.items() if k.endswith("}id")), None)
    sheet = by_id.get(rid or "")
    if sheet is None or sheet not in archive.NameToInfo:
        raise FileRejected(_("文件不是有效的 XLSX 工作簿：找不到第一个工作表"))
    return sheet, len(sheets)


# The sheet XML is scanned with byte searches, fast for what writers really emit (Excel,
# WPS, openpyxl, xlsxwriter, EPPlus: `<c r="AB12" …>` inside `<row r="12" …>`, one
# namespace prefix): per 1 MiB block, counts of `<c`, of `<c r="` and of `<row r="`, and one
# search for a cell beyond the extent known so far (≈ 12 ms a MiB). A block where the
# counts differ — cells without `r`, another attribute order, a second prefix, rich text
# — is tokenised element by element instead (≈ 100 ms a MiB), counting positions the way
# the readers do. Counts err upwards (`<col`, `<color` count as cells), never downwards.
_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_R_ATTR = re.compile(rb'(?:^|\s)r\s*=\s*["\']\s*\$?([A-Za-z]{0,4})\$?(\d{1,9})\s*["\']')
_DIMENSION = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*?\bref\s*=\s*["\']([^"\']{1,40})["\']')
_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet[\s>]")
_REF = re.compile(r"\$?([A-Za-z]{1,4})\$?(\d{1,9})")


def _col_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        n = n * 26 + ord(ch) - 64
    return n


def _col_above(col: int) -> bytes:
    """A regex alternation matching a column name greater than column `col` (1-based), in
    either case (spelled out: re.IGNORECASE makes the search a quarter slower)."""
    name = ""
    n = col
    while n:
        n, r = divmod(n - 1, 26)
        name = chr(65 + r) + name
    alts = [f"[A-Za-z]{{{len(name) + 1},4}}"]
    for i, ch in enumerate(name):
        if ch != "Z":
            nxt = chr(ord(ch) + 1)
            alts.append(
                "".join(f"[{c}{c.lower()}]" for c in name[:i])
                + f"[{nxt}-Z{nxt.lower()}-z]"
                + f"[A-Za-z]{{{len(name) - i - 1}}}"
            )
    return "|".join(alts).encode()


def _row_above(row: int) -> bytes:
    """A regex alternation matching a row number greater than `row` (no leading zeros)."""
    s = str(row)
    alts = [f"[1-9]\\d{{{len(s)},}}"]
    for i, ch in enumerate(s):
        if ch != "9":
            alts.append(s[:i] + f"[{int(ch) + 1}-9]" + f"\\d{{{len(s) - i - 1}}}")
    return "|".join(alts).encode()


class _SheetScan:
    def __init__(self, prefix: bytes, max_cells: int, max_cols: int) -> None:
        self.max_cells, self.max_cols = max_cells, max_cols
        self.max_row = self.max_col = self.cells = 0
        self.row = self.col = 0  # the position reached (cells without `r` take the next one)
        self.row_cells = 0  # `<c>` elements in the current row (a reader holds a row whole)
        self.dimension_seen = False
        p = re.escape(prefix)
        self.cell_start = b"<" + prefix + b'c r="'
        self.row_start = b"<" + prefix + b'row r="'
        self.row_ref = re.compile(b"<" + p + rb'row r="(\d{1,9})"')
        self.cell_ref = re.compile(b"<" + p + rb'c r="\$?([A-Z]{1,4})\$?(\d{1,9})"', re.IGNORECASE)
        self._beyond()

    def _beyond(self) -> None:
        # Either case, with `$` and leading zeros: whatever a reader might still parse.
        self.beyond = re.compile(
            re.escape(self.cell_start)
            + rb"\$?(?:(?:"
            + _col_above(max(self.max_col, 1))
            + rb")\$?\d|[A-Za-z]{1,4}\$?0*(?:"
            + _row_above(max(self.max_row, 1))
            + b')")'
        )

    def feed(self, piece: bytes) -> None:
        if not self.dimension_seen and b"dimension" in piece and (m := _DIMENSION.search(piece)):
            self.dimension_seen = True
            self._check_dimension(m.group(1).decode("ascii", "replace"))
        n_any = piece.count(b"<c") + piece.count(b":c")
        self.cells += n_any
        if self.cells > self.max_cells:
            raise _xlsx_rejected(
                _("工作表含 %(cells)s 个以上单元格（上限 %(limit)s）")
                % {"cells": self.cells, "limit": self.max_cells}
            )
        rows = self.row_ref.findall(piece)
        if (
            n_any == piece.count(self.cell_start)
            and len(rows) == piece.count(b"<row") + piece.count(b":row")
            and n_any <= (len(rows) + 1) * self.max_cols
        ):
            self._fast(piece, rows, n_any)
        else:
            self._tokenise(piece)

    def _fast(self, piece: bytes, rows: list[bytes], n_cells: int) -> None:
        if rows:  # first the rows' own numbers, so that the search below looks only beyond them
            self._extend(max(map(int, rows)), 0)
        if self.beyond.search(piece):  # a cell beyond the extent so far: take every reference
            refs = self.cell_ref.findall(piece)
            self._extend(max(int(r) for _, r in refs), max(_col_number(c) for c, _ in refs))
        first = piece.find(self.row_start)
        if first < 0:
            self._row_cells(self.row_cells + n_cells)
        else:
            self._row_cells(self.row_cells + piece.count(b"<c", 0, first) + piece.count(b":c", 0, first))
            self.row, self.col = int(rows[-1]), 0
            last = piece.rfind(self.row_start)
            self._row_cells(piece.count(b"<c", last) + piece.count(b":c", last))
        last = piece.rfind(self.cell_start)
        if last >= 0 and last > piece.rfind(self.row_start):
            m = self.cell_ref.match(piece, last)
            if m:
                self.col = _col_number(m.group(1))

    def _tokenise(self, piece: bytes) -> None:
        for m in _ELEMENT.finditer(piece):
            kind, attrs = m.group(1), m.group(2)
            ref = _R_ATTR.search(attrs)
            if kind == b"row":
                self.row = int(ref.group(2)) if ref else self.row + 1
                self.col = 0
                self.row_cells = 0
                self._extend(self.row, 0)
            else:
                self._row_cells(self.row_cells + 1)
                if ref and ref.group(1):
                    self.col, row = _col_number(ref.group(1)), int(ref.group(2))
                else:
                    self.col, row = self.col + 1, max(self.row, 1)
                self._extend(row, self.col)

    def _row_cells(self, n: int) -> None:
        # (rows between the first and the last row start of a fast block hold at most
        # max_cols cells on average, and the block at most (rows + 1) × max_cols)
        self.row_cells = n
        if n > self.max_cols:
            raise _xlsx_rejected(
                _("第 %(row)s 行有 %(cells)s 个以上单元格（名册上限 %(limit)s 列）")
                % {"row": self.row, "cells": n, "limit": self.max_cols}
            )

    def _extend(self, row: int, col: int) -> None:
        changed = False
        if row > self.max_row:
            self.max_row, changed = row, True
        if col > self.max_col:
            self.max_col, changed = col, True
        if changed:
            self._check(self.max_row, self.max_col, declared=False)
            self._beyond()

    def _check_dimension(self, ref: str) -> None:
        m = _REF.fullmatch(ref.split(":")[-1])
        if m is not None:  # a malformed dimension is ignored by both readers; the cells decide
            self._check(int(m.group(2)), _col_number(m.group(1)), declared=True)

    def _check(self, rows: int, cols: int, *, declared: bool) -> None:
        """The sheet's extent: `declared` by its <dimension>, or found from its cells."""
        if rows > EXCEL_MAX_ROWS or cols > EXCEL_MAX_COLUMNS:
            raise _xlsx_rejected(
                _("工作表声明的范围超出 Excel 的行列上限")
                if declared
                else _("工作表范围超出 Excel 的行列上限")
            )
        values = {"rows": rows, "columns": cols, "limit": self.max_cols, "cells": self.max_cells}
        if cols > self.max_cols:
            raise _xlsx_rejected(
                (
                    _("工作表声明的范围有 %(columns)s 列（名册上限 %(limit)s 列）")
                    if declared
                    else _("工作表范围有 %(columns)s 列（名册上限 %(limit)s 列）")
                )
                % values
            )
        if rows * cols > self.max_cells:
            raise _xlsx_rejected(
                (
                    _(
                        "工作表声明的范围 %(rows)s 行 × %(columns)s 列超过 %(cells)s 个单元格的上限（单元格稀疏分布也按整个范围计）"
                    )
                    if declared
                    else _(
                        "工作表范围 %(rows)s 行 × %(columns)s 列超过 %(cells)s 个单元格的上限（单元格稀疏分布也按整个范围计）"
                    )
                )
                % values
            )


def _scan_sheet(archive, name: str, max_cells: int, max_cols: int) -> _SheetScan:
    with archive.open(name) as stream:
        carry = _check_prolog(stream, name)
        root = _ROOT.search(carry)
        scan = _SheetScan(root.group(1) or b"" if root else b"", max_cells, max_cols)
        while True:
            block = stream.read(XLSX_SCAN_BLOCK)
            data = carry + block
            if not block:
                if data:
                    scan.feed(data)
                return scan
            cut = data.rfind(b">") + 1  # never split a tag: scan up to the last '>'
            if cut == 0 and len(data) > XLSX_MAX_TAG:
                raise _xlsx_rejected(
                    _("工作表 XML 中有超长的标签或文本（超过 %(limit)s 字节）") % {"limit": XLSX_MAX_TAG}
                )
            scan.feed(data[:cut])
            carry = data[cut:]


def _count_shared_strings(stream, head: bytes, max_cells: int) -> None:
    """The shared strings: declared counts and the `<si>` really there, within the cell
    limit (a reader may reserve room for the declared count up front)."""
    for attr in (rb"uniqueCount", rb"count"):
        m = re.search(rb"\b" + attr + rb'\s*=\s*["\'](\d{1,20})["\']', head)
        declared = int(m.group(1)) if m else 0
        if declared > max_cells:
            raise _xlsx_rejected(
                _("共享字符串表声明 %(items)s 项（上限 %(limit)s）") % {"items": declared, "limit": max_cells}
            )
    si = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]")
    n, carry = len(si.findall(head)), b""
    while block := stream.read(XLSX_SCAN_BLOCK):
        data = carry + block
        cut = max(data.rfind(b">") + 1, len(data) - 64)
        n += len(si.findall(data[:cut]))
        carry = data[cut:]
        if n > max_cells:
            raise _xlsx_rejected(_("共享字符串表超过 %(limit)s 项") % {"limit": max_cells})


def inspect_xlsx(path: str | Path) -> XlsxExtent:
    """Check a workbook before any reader opens it; raise FileRejected for a hostile or
    broken one. Returns the first sheet's real extent."""
    max_cells, max_cols, max_total = _limits()
    try:
        with zipfile.ZipFile(path) as archive:
            _check_zip_directory(archive, max_total)
            sheet, _sheets = _first_sheet(archive)
            for info in archive.infolist():
                name = info.filename
                if name == sheet or not name.endswith((".xml", ".rels")):
                    continue
                if _is_worksheet(name):
                    with archive.open(name) as stream:  # other sheets: openpyxl reads their start
                        _check_prolog(stream, name)
                else:
                    _drain(archive, name, max_cells)
            scan = _scan_sheet(archive, sheet, max_cells, max_cols)
    except FileRejected:
        raise
    except (zipfile.BadZipFile, EOFError) as exc:
        # also what a lying header ends in: zipfile stops at the declared size, and the CRC fails
        raise _xlsx_rejected(
            _("压缩包损坏或条目内容与声明的大小、校验值不符（%(error)s）") % {"error": exc}
        ) from None
    except (zipfile.LargeZipFile, OSError, KeyError, ValueError, NotImplementedError, RuntimeError) as exc:
        # RuntimeError: an encrypted entry; BadZipFile also for a CRC mismatch (a lying header).
        raise FileRejected(
            _("文件不是有效的 XLSX 工作簿：%(error)s") % {"error": type(exc).__name__}
        ) from None
    except Exception as exc:  # defusedxml / expat errors from parsing the workbook's parts
        raise FileRejected(
            _("文件不是有效的 XLSX 工作簿：%(error)s") % {"error": type(exc).__name__}
        ) from None
    return XlsxExtent(sheet=sheet, max_row=scan.max_row, max_col=scan.max_col, cells=scan.cells)


# python-calamine is fast (≈ 1 s per 100k rows) but holds the whole sheet in memory:
# ≈ 385 MB peak for a 300,000-row, 14 MB workbook. Beyond this size a workbook is read
# with openpyxl in read-only mode instead, which streams the sheet's XML (bounded memory,
# ≈ 10× slower). Measured in the closing note of the roster-intake issue.
XLSX_CALAMINE_MAX_BYTES = 4 * 1024 * 1024


def _open_xlsx(path: Path) -> RosterFile:
    extent = inspect_xlsx(path)  # refuses bombs before either reader allocates anything
    if (
        path.stat().st_size > XLSX_CALAMINE_MAX_BYTES
        or extent.area > XLSX_CALAMINE_MAX_CELLS
        or extent.cells > XLSX_CALAMINE_MAX_CELLS
    ):
        return _open_xlsx_streaming(path, extent)
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        if not workbook.sheet_names:
            raise FileRejected(_("XLSX 工作簿中没有工作表"))
        sheet = workbook.get_sheet_by_index(0)  # first in workbook order, not the active one
        rows = sheet.iter_rows()
        first_row = (sheet.start or (0, 0))[0]  # the range starts at the first non-empty row
    except FileRejected:
        raise
    except Exception as exc:  # calamine raises its own zip/xml errors and ValueError
        raise FileRejected(
            _("文件不是有效的 XLSX 工作簿：%(error)s") % {"error": type(exc).__name__}
        ) from None
    return _xlsx_roster(path, _xlsx_records(rows, first_row))


def _open_xlsx_streaming(path: Path, extent: XlsxExtent) -> RosterFile:
    """The first sheet in workbook order, streamed by openpyxl's read-only reader."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(str(path), read_only=True, data_only=True)
        if not workbook.worksheets:
            raise FileRejected(_("XLSX 工作簿中没有工作表"))
        sheet = workbook.worksheets[0]  # workbook order, not the active sheet
        # From row 1, missing rows come as empty. The bounds are the cells actually found
        # by the pre-check, never the declared dimension: openpyxl would pad every row to
        # a lying `<dimension>` or stop early at a too-small one.
        rows = sheet.iter_rows(
            min_row=1,
            max_row=max(extent.max_row, 1),
            min_col=1,
            max_col=max(extent.max_col, 1),
            values_only=True,
        )
    except FileRejected:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise FileRejected(
            _("文件不是有效的 XLSX 工作簿：%(error)s") % {"error": type(exc).__name__}
        ) from None
    except Exception as exc:  # defusedxml's refusals, expat errors
        raise FileRejected(
            _("文件不是有效的 XLSX 工作簿：%(error)s") % {"error": type(exc).__name__}
        ) from None
    return _xlsx_roster(path, _xlsx_records(_guarded(rows), 0))


def _guarded(rows):
    """openpyxl raises while streaming a damaged sheet: end the file with one clear reason."""
    try:
        yield from rows
    except Exception as exc:  # zip/XML errors surface only when the damaged part is read
        raise FileRejected(_("XLSX 工作表数据损坏：%(error)s") % {"error": type(exc).__name__}) from None


def _xlsx_roster(path: Path, records: Iterator) -> RosterFile:
    header = next(records, None)
    while (
        header is not None
        and not isinstance(header, Malformed)
        and not any(str(c).strip() for c in header[1])
    ):
        header = next(records, None)
    if header is None:
        raise FileRejected(_("工作表第一行没有表头"))
    if isinstance(header, Malformed):
        raise FileRejected(_("表头无法解析：%(reason)s") % {"reason": header.message})
    return RosterFile(path=path, file_format="xlsx", header=[str(c) for c in header[1]], _records=records)


def _xlsx_records(rows, first_row: int) -> Iterator[tuple[int, list] | Malformed]:
    """Row numbers are the sheet's own (what the clerk sees in Excel)."""
    line_no = first_row
    for raw in rows:
        line_no += 1
        if raw.count(None) == len(raw):
            yield line_no, [""]  # an empty row (openpyxl pads gaps with them): no cell to convert
            continue
        cells = [xlsx_cell(v) for v in raw]
        if any(isinstance(c, str) and ("\x00" in c) for c in cells):
            yield Malformed(line_no, _("单元格含空字符(NUL)"))
            continue
        if any(isinstance(c, str) and len(c) > MAX_CELL_CHARS for c in cells):
            yield Malformed(
                line_no,
                _("单元格超过%(limit)s个字符") % {"limit": MAX_CELL_CHARS},
                "too_long",
            )
            continue
        yield line_no, cells
