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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

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

    def records(self) -> Iterator[tuple[int, list] | Malformed]:
        assert self._records is not None
        return self._records


def open_roster(path: str | Path) -> RosterFile:
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if not head:
        raise FileRejected("文件为空 / the file is empty (no header)")
    if head.startswith(ZIP_MAGIC):
        return _open_xlsx(path)
    if head.startswith(OLE_MAGIC):
        raise FileRejected("不支持旧版 Excel (.xls) 文件，请另存为 XLSX 或 CSV / "
                           "legacy .xls is not accepted: save as XLSX or CSV")
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
    raise FileRejected("无法识别文件编码（应为 UTF-8 或 GBK/GB18030）/ "
                       "the file is neither UTF-8 nor GB18030 text")


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
        raise FileRejected("文件不是 CSV 文本或 XLSX 工作簿（含二进制内容）/ "
                           "the file is neither CSV text nor an XLSX workbook (binary content)")
    encoding = detect_encoding(path)
    # Universal newlines: \r\n and \r become \n (also inside quoted cells).
    fh = open(path, encoding=encoding, errors="strict", newline=None)  # noqa: SIM115 — closed by the generator
    lines = _csv_records(fh)
    header_record = next(lines, None)
    while header_record is not None and not isinstance(header_record, Malformed) and not any(
            c.strip() for c in header_record[1]):
        header_record = next(lines, None)  # blank lines before the header
    if header_record is None:
        fh.close()
        raise FileRejected("文件没有表头 / the file has no header line")
    if isinstance(header_record, Malformed):
        fh.close()
        raise FileRejected(f"表头无法解析：{header_record.message} / the header line is malformed")
    label = "utf-8" if encoding == "utf-8-sig" else encoding
    return RosterFile(path=path, file_format="csv", encoding=label, header=header_record[1], _records=lines)


def _split_quoted(text: str):
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


INCOMPLETE = object()


def _physical_lines(fh, fold_state: list[bool]) -> Iterator[str]:
    """The file's lines without terminators, read in blocks. The file is opened with
    universal newlines, so \r\n and a lone \r arrive as \n. fold_state[0] tells the
    consumer whether the current block has any full-width character at all, and
    fold_state[1] whether it has a NUL — most blocks have neither, and then no line of
    them needs the per-line check."""
    carry = ""
    while block := fh.read(READ_BLOCK):
        fold_state[0] = _NEEDS_FOLD(block) is not None or _NEEDS_FOLD(carry) is not None
        fold_state[1] = "\x00" in block or "\x00" in carry
        lines = (carry + block).split("\n")
        carry = lines.pop()
        yield from lines
    if carry:
        fold_state[0] = _NEEDS_FOLD(carry) is not None
        fold_state[1] = "\x00" in carry
        yield carry


def _csv_records(fh) -> Iterator[tuple[int, list[str]] | Malformed]:
    """(line, cells) per record; cells folded, not trimmed."""
    line_no = 0
    needs_fold = _NEEDS_FOLD
    fold_table = FOLD
    fold_state = [False, False]  # the current block has: a full-width character, a NUL
    try:
        it = _physical_lines(fh, fold_state)
        for line in it:
            line_no += 1
            if '"' not in line:
                if fold_state[1] and "\x00" in line:
                    yield Malformed(line_no, "记录含空字符(NUL) / the record contains NUL bytes")
                    continue
                cells = line.split(",")
                if len(line) > MAX_CELL_CHARS and max(map(len, cells)) > MAX_CELL_CHARS:
                    yield Malformed(line_no, f"单元格超过{MAX_CELL_CHARS}个字符 / a cell exceeds "
                                             f"{MAX_CELL_CHARS} characters", "too_long")
                    continue
                if fold_state[0] and needs_fold(line):
                    cells = [c.translate(fold_table) for c in cells]
                yield line_no, cells
                continue
            # A record with quotes, possibly spanning lines.
            start = line_no
            parts: list[str] | None = [line]
            size = len(line)
            quotes = line.count('"')
            result = _split_quoted(line)
            while result is INCOMPLETE:
                nxt = next(it, None)
                if nxt is None:
                    yield Malformed(start, "引号未闭合，直到文件末尾 / an unclosed quote runs to the end of the file")
                    return
                line_no += 1
                quotes += nxt.count('"')
                if parts is not None:
                    size += len(nxt) + 1
                    if size > MAX_RECORD_CHARS:
                        parts = None  # keep skipping until the quote closes, holding nothing
                    else:
                        parts.append(nxt)
                if quotes % 2 == 0:
                    result = "too_big" if parts is None else _split_quoted("\n".join(parts))
            if result == "too_big":
                yield Malformed(start, f"记录超过{MAX_RECORD_CHARS}个字符 / the record exceeds "
                                       f"{MAX_RECORD_CHARS} characters", "too_long")
                continue
            if result is None:
                yield Malformed(start, "引号不匹配 / unbalanced quote in the record")
                continue
            if any("\x00" in c for c in result):
                yield Malformed(start, "记录含空字符(NUL) / the record contains NUL bytes")
                continue
            if max(map(len, result)) > MAX_CELL_CHARS:
                yield Malformed(start, f"单元格超过{MAX_CELL_CHARS}个字符 / a cell exceeds "
                                       f"{MAX_CELL_CHARS} characters", "too_long")
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


# python-calamine is fast (≈ 1 s per 100k rows) but holds the whole sheet in memory:
# ≈ 385 MB peak for a 300,000-row, 14 MB workbook. Beyond this size a workbook is read
# with openpyxl in read-only mode instead, which streams the sheet's XML (bounded memory,
# ≈ 10× slower). Measured in the closing note of the roster-intake issue.
XLSX_CALAMINE_MAX_BYTES = 4 * 1024 * 1024


def _open_xlsx(path: Path) -> RosterFile:
    if path.stat().st_size > XLSX_CALAMINE_MAX_BYTES:
        return _open_xlsx_streaming(path)
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        if not workbook.sheet_names:
            raise FileRejected("XLSX 工作簿中没有工作表 / the workbook has no sheet")
        sheet = workbook.get_sheet_by_index(0)  # first in workbook order, not the active one
        rows = sheet.iter_rows()
        first_row = (sheet.start or (0, 0))[0]  # the range starts at the first non-empty row
    except FileRejected:
        raise
    except Exception as exc:  # calamine raises its own zip/xml errors and ValueError
        raise FileRejected(f"文件不是有效的 XLSX 工作簿：{type(exc).__name__} / "
                           f"the file is not a valid XLSX workbook") from None
    return _xlsx_roster(path, _xlsx_records(rows, first_row))


def _open_xlsx_streaming(path: Path) -> RosterFile:
    """The first sheet in workbook order, streamed by openpyxl's read-only reader."""
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(str(path), read_only=True, data_only=True)
        if not workbook.worksheets:
            raise FileRejected("XLSX 工作簿中没有工作表 / the workbook has no sheet")
        sheet = workbook.worksheets[0]  # workbook order, not the active sheet
        rows = sheet.iter_rows(values_only=True)  # from row 1; missing rows come as empty
    except FileRejected:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise FileRejected(f"文件不是有效的 XLSX 工作簿：{type(exc).__name__} / "
                           f"the file is not a valid XLSX workbook") from None
    return _xlsx_roster(path, _xlsx_records(_guarded(rows), 0))


def _guarded(rows):
    """openpyxl raises while streaming a damaged sheet: end the file with one clear reason."""
    try:
        yield from rows
    except Exception as exc:  # zip/XML errors surface only when the damaged part is read
        raise FileRejected(f"XLSX 工作表数据损坏：{type(exc).__name__} / the sheet data is damaged") from None


def _xlsx_roster(path: Path, records: Iterator) -> RosterFile:
    header = next(records, None)
    while header is not None and not isinstance(header, Malformed) and not any(
            str(c).strip() for c in header[1]):
        header = next(records, None)
    if header is None:
        raise FileRejected("工作表第一行没有表头 / the first sheet has no header row")
    if isinstance(header, Malformed):
        raise FileRejected(f"表头无法解析：{header.message} / the header row is malformed")
    return RosterFile(path=path, file_format="xlsx", header=[str(c) for c in header[1]], _records=records)


def _xlsx_records(rows, first_row: int) -> Iterator[tuple[int, list] | Malformed]:
    """Row numbers are the sheet's own (what the clerk sees in Excel)."""
    line_no = first_row
    for raw in rows:
        line_no += 1
        cells = [xlsx_cell(v) for v in raw]
        if any(isinstance(c, str) and ("\x00" in c) for c in cells):
            yield Malformed(line_no, "单元格含空字符(NUL) / a cell contains NUL bytes")
            continue
        if any(isinstance(c, str) and len(c) > MAX_CELL_CHARS for c in cells):
            yield Malformed(line_no, f"单元格超过{MAX_CELL_CHARS}个字符 / a cell exceeds "
                                     f"{MAX_CELL_CHARS} characters", "too_long")
            continue
        yield line_no, cells
