"""A corpus of hostile files, built in code and small (a few KB each): what a careless
or malicious partner could push, and what a street clerk could upload as a photo.

Every builder returns bytes (or writes to a given path, for the CSV that must not sit in
memory). The workbooks are assembled part by part, so that each one differs from a
valid roster workbook in exactly the one way it is hostile.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = REL_NS + "/worksheet"
SST_TYPE = REL_NS + "/sharedStrings"

MARKET_HEADER = ["uscc", "name", "entity_type", "status", "established_on", "district_code"]

BILLION_LAUGHS_DTD = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    + "]>"
)
EXTERNAL_ENTITY_DTD = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _col(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(
    rows: Iterable[tuple[int, Iterable[tuple[str, str]]]], *, dimension: str | None = None, prolog: str = ""
) -> str:
    """rows: (row number, [(ref, text), …]); dimension: the declared `<dimension ref>`."""
    body = "".join(
        f'<row r="{r}">' + "".join(cell(ref, t) for ref, t in cells) + "</row>" for r, cells in rows
    )
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">{dim}<sheetData>{body}</sheetData></worksheet>'
    )


def table_rows(cells: list[list[str]]) -> list[tuple[int, list[tuple[str, str]]]]:
    return [(i, [(f"{_col(j)}{i}", v) for j, v in enumerate(row, 1)]) for i, row in enumerate(cells, 1)]


def workbook_xml(n_sheets: int = 1, *, prolog: str = "", name: str = "Sheet") -> str:
    sheets = "".join(f'<sheet name="{name}{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, n_sheets + 1))
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>{sheets}</sheets></workbook>'
    )


def workbook_rels(n_sheets: int = 1, *, shared_strings: bool = False) -> str:
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{SHEET_TYPE}" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, n_sheets + 1)
    )
    if shared_strings:
        rels += f'<Relationship Id="rIdS" Type="{SST_TYPE}" Target="sharedStrings.xml"/>'
    return f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">{rels}</Relationships>'


def content_types(n_sheets: int = 1, *, shared_strings: bool = False) -> str:
    ws = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    over = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{ws}"/>'
        for i in range(1, n_sheets + 1)
    )
    if shared_strings:
        over += (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
        '2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        f'spreadsheetml.sheet.main+xml"/>{over}</Types>'
    )


ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
    f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)


def xlsx(
    sheets: list[str] | None = None,
    *,
    shared_strings: str | None = None,
    workbook: str | None = None,
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """A workbook from its parts (sheet XML texts in workbook order)."""
    sheets = sheets if sheets is not None else [sheet_xml(table_rows([MARKET_HEADER]))]
    n = len(sheets)
    parts: dict[str, bytes | str] = {
        "[Content_Types].xml": content_types(n, shared_strings=shared_strings is not None),
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": workbook or workbook_xml(n),
        "xl/_rels/workbook.xml.rels": workbook_rels(n, shared_strings=shared_strings is not None),
    }
    for i, s in enumerate(sheets, 1):
        parts[f"xl/worksheets/sheet{i}.xml"] = s
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    parts.update(extra or {})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


# --------------------------------------------------------------------------- workbooks


def sparse_cell_bomb(*, dimension: str | None = "A1:XFD1048576") -> bytes:
    """Two cells, A1 and XFD1048576: 4.9 KB that calamine turns into a 17-billion-cell range."""
    rows = [(1, [("A1", "uscc")]), (1048576, [("XFD1048576", "x")])]
    return xlsx([sheet_xml(rows, dimension=dimension)])


def sparse_rows_bomb() -> bytes:
    """Forty columns, as a roster has, but a last cell in row 1,048,576 (no dimension):
    40 million cells for calamine, for two rows of data."""
    rows = table_rows([MARKET_HEADER]) + [(1048576, [("AN1048576", "x")])]
    return xlsx([sheet_xml(rows)])


def lying_dimension() -> bytes:
    """The declared dimension says A1:F2, the cells reach XFD1048576."""
    return sparse_cell_bomb(dimension="A1:F2")


def huge_declared_dimension() -> bytes:
    """Only a header row, but `<dimension ref="A1:XFD1048576">` (openpyxl pads every row to it)."""
    return xlsx([sheet_xml(table_rows([MARKET_HEADER]), dimension="A1:XFD1048576")])


def unsorted_refs_bomb() -> bytes:
    """The far cell hides in the first row, before the near ones."""
    rows = [(1, [("XFD1", "far"), ("A1", "uscc")]), (2, [("A1048576", "x")])]
    return xlsx([sheet_xml(rows)])


def billion_laughs(part: str) -> bytes:
    """The billion-laughs DTD in the sheet, the shared strings or workbook.xml."""
    if part == "sheet":
        rows = [(1, [("A1", "&lol9;")])]
        return xlsx([sheet_xml(rows, prolog=BILLION_LAUGHS_DTD)])
    if part == "sharedStrings":
        sst = (
            f'<?xml version="1.0" encoding="UTF-8"?>{BILLION_LAUGHS_DTD}<sst xmlns="{MAIN_NS}" count="1" '
            f'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
        )
        sheet = sheet_xml([])[: -len("<sheetData></sheetData></worksheet>")] + (
            '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
        )
        return xlsx([sheet], shared_strings=sst)
    if part == "workbook":
        return xlsx(workbook=workbook_xml(1, prolog=BILLION_LAUGHS_DTD, name="&lol9;"))
    raise ValueError(part)


def external_entity() -> bytes:
    rows = [(1, [("A1", "&xxe;")])]
    return xlsx([sheet_xml(rows, prolog=EXTERNAL_ENTITY_DTD)])


def many_sheets(n: int = 10_000) -> bytes:
    small = sheet_xml(table_rows([MARKET_HEADER]))
    return xlsx([small] * n)


def huge_shared_strings_count() -> bytes:
    """sharedStrings.xml declaring four billion strings (a reader may reserve room for them)."""
    sst = f'<sst xmlns="{MAIN_NS}" count="4000000000" uniqueCount="4000000000"><si><t>uscc</t></si></sst>'
    sheet = sheet_xml([])[: -len("<sheetData></sheetData></worksheet>")] + (
        '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    )
    return xlsx([sheet], shared_strings=sst)


def zip_bomb() -> bytes:
    """A sheet entry that declares 4 GiB uncompressed for a few KB of deflated data."""
    return _bomb_zip(declared=4 << 30, payload=_deflated(_sheet_padding(4)))


def honest_zip_bomb() -> bytes:
    """A sheet of 256 MiB of blanks inside sheetData, honestly declared: ~250 KB deflated
    (a ratio of ~1,000:1, where a real sheet deflates ~10:1)."""
    data = _sheet_padding(256)
    return _bomb_zip(declared=len(data), payload=_deflated(data), crc=zlib.crc32(data))


def lying_zip_bomb() -> bytes:
    """The headers declare a 2 KB sheet; its deflate stream inflates to 64 MiB of valid XML."""
    return _bomb_zip(declared=2048, payload=_deflated(_sheet_padding(64)))


def _sheet_padding(megabytes: int) -> bytes:
    head = sheet_xml(table_rows([MARKET_HEADER])).encode()
    cut = head.index(b"</sheetData>")
    return head[:cut] + b" " * (megabytes << 20) + head[cut:]


def _deflated(data: bytes) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    return comp.compress(data) + comp.flush()


def _bomb_zip(*, declared: int, payload: bytes, crc: int = 0) -> bytes:
    """A valid workbook whose sheet1.xml entry is replaced by `payload` (deflated) and whose
    local and central headers declare `declared` uncompressed bytes (ZIP64 when large)."""
    base = xlsx()
    data, sheet_crc = payload, crc
    src = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    central = []
    for info in src.infolist():
        if info.filename == "xl/worksheets/sheet1.xml":
            payload, size, crc = data, declared, sheet_crc
        else:
            raw = src.read(info.filename)
            comp = zlib.compressobj(6, zlib.DEFLATED, -15)
            payload, size, crc = comp.compress(raw) + comp.flush(), len(raw), zlib.crc32(raw)
        name = info.filename.encode()
        offset = out.tell()
        zip64 = size >= 0xFFFFFFFF
        extra = struct.pack("<HHQQ", 1, 16, size, len(payload)) if zip64 else b""
        out.write(
            struct.pack(
                "<4s5H3L2H",
                b"PK\x03\x04",
                45 if zip64 else 20,
                0,
                8,
                0,
                0,
                crc,
                0xFFFFFFFF if zip64 else len(payload),
                0xFFFFFFFF if zip64 else size,
                len(name),
                len(extra),
            )
            + name
            + extra
        )
        out.write(payload)
        cextra = struct.pack("<HHQQQ", 1, 24, size, len(payload), offset) if zip64 else b""
        central.append(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                45 if zip64 else 20,
                45 if zip64 else 20,
                0,
                8,
                0,
                0,
                crc,
                0xFFFFFFFF if zip64 else len(payload),
                0xFFFFFFFF if zip64 else size,
                len(name),
                len(cextra),
                0,
                0,
                0,
                0,
                0xFFFFFFFF if zip64 else offset,
            )
            + name
            + cextra
        )
    cd_start = out.tell()
    for c in central:
        out.write(c)
    cd_size = out.tell() - cd_start
    n = len(central)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, n, n, cd_size, cd_start, 0))
    return out.getvalue()


def truncated_xlsx() -> bytes:
    data = xlsx(sheets=[sheet_xml(table_rows([MARKET_HEADER] + [["x"] * 6] * 200))])
    return data[: len(data) * 2 // 3]


def path_traversal_xlsx() -> bytes:
    return xlsx(
        extra={"../../../../tmp/wuhai-evil.txt": b"owned", "/etc/cron.d/evil": b"* * * * * root true"}
    )


def many_sheets_one_part(n: int = 10_000) -> bytes:
    """workbook.xml lists 10,000 sheets, all pointing at the one sheet part."""
    sheets = "".join(f'<sheet name="S{i}" sheetId="{i}" r:id="rId1"/>' for i in range(1, n + 1))
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        f"<sheets>{sheets}</sheets></workbook>"
    )
    return xlsx(workbook=workbook)


def one_ref_repeated(n: int = 200_000) -> bytes:
    """200,000 cells all named A1 in one row: nothing lies beyond A1, yet a reader would
    hold every one of them (values differ, so the part deflates like a real sheet)."""
    body = "".join(f'<c r="A1"><v>{i * 7919 % 1000003}</v></c>' for i in range(n))
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
        f'<row r="1">{body}</row></sheetData></worksheet>'
    )
    return xlsx([sheet])


def cells_without_refs(n: int = 20_000) -> bytes:
    """A row of cells without `r` (legal: each takes the next column): 20,000 columns."""
    body = "<c><v>1</v></c>" * n
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
        f"<row>{body}</row></sheetData></worksheet>"
    )
    return xlsx([sheet])


def prefixed_far_cell() -> bytes:
    """A default-namespace sheet with one far cell written with another prefix."""
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}" xmlns:y="{MAIN_NS}">'
        f'<sheetData><row r="1">{cell("A1", "uscc")}</row><row r="2"><y:c r="XFD1048576"><y:v>1</y:v>'
        "</y:c></row></sheetData></worksheet>"
    )
    return xlsx([sheet])


def many_entries_zip(n: int = 20_000) -> bytes:
    return xlsx(extra={f"xl/media/image{i}.bin": b"" for i in range(n)})


# --------------------------------------------------------------------------- CSV


def endless_line_csv(path: Path, *, megabytes: int = 100) -> Path:
    """A header, then one line of `megabytes` MB without a newline, written in blocks."""
    block = b"9" * (1 << 20)
    with open(path, "wb") as fh:
        fh.write(b"uscc,name\r\n")
        for _ in range(megabytes):
            fh.write(block)
    return path


def endless_first_line_csv(path: Path, *, megabytes: int = 100) -> Path:
    """No newline at all: the 'header' itself is the endless line."""
    block = b"a" * (1 << 20)
    with open(path, "wb") as fh:
        for _ in range(megabytes):
            fh.write(block)
    return path


# --------------------------------------------------------------------------- images


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 200_000, height: int = 200_000) -> bytes:
    """A 68-byte PNG whose header claims width × height pixels (40 gigapixels)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"")
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def jpeg_bomb(width: int = 65_000, height: int = 65_000) -> bytes:
    """A JPEG header (SOF0) declaring 65,000 × 65,000 pixels, followed by almost nothing."""
    soi = b"\xff\xd8"
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"
    sof = (
        b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x11\x00\x02\x11\x00\x03\x11\x00"
    )
    return soi + app0 + sof + b"\xff\xd9"


def png_ok(width: int = 8, height: int = 8) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()
