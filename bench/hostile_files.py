"""Hostile roster files: peak memory of reading each one, and what the pre-checks cost
on large legitimate workbooks.

1. Every file of the hostile corpus (tests/enrollment/hostile.py) is read by
   `enrollment.reading.open_roster` in a fresh interpreter, through calamine and through
   the streaming reader, under an address-space limit (so a bomb aborts that process and
   not the machine). Prints the outcome and the peak RSS (VmHWM). `--before REV` reads the
   same files with reading.py as it was at git revision REV, for comparison.
2. Legitimate market_entities workbooks (shared strings, as Excel and WPS write them):
   the time of `inspect_xlsx` alone against the time of reading every record.

    .venv/bin/python bench/hostile_files.py                 # corpus + 300,000-row workbook
    .venv/bin/python bench/hostile_files.py --rows 80000 --before cf6351e
"""

from __future__ import annotations

import argparse
import io
import json
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.enrollment import hostile  # noqa: E402

CORPUS = {
    "sparse cell bomb (A1 + XFD1048576, 4.9 KB as openpyxl writes it)": None,
    "sparse cell bomb, no dimension": lambda: hostile.sparse_cell_bomb(dimension=None),
    "lying dimension (A1:F2, cells to XFD1048576)": hostile.lying_dimension,
    "40 columns, last cell in row 1,048,576": hostile.sparse_rows_bomb,
    "billion laughs in the sheet": lambda: hostile.billion_laughs("sheet"),
    "billion laughs in sharedStrings": lambda: hostile.billion_laughs("sharedStrings"),
    "billion laughs in workbook.xml": lambda: hostile.billion_laughs("workbook"),
    "external entity": hostile.external_entity,
    "10,000 sheets": hostile.many_sheets,
    "sharedStrings declaring 4e9 items": hostile.huge_shared_strings_count,
    "zip bomb (4 GiB declared)": hostile.zip_bomb,
    "zip bomb (256 MiB honest, ratio ~1000)": hostile.honest_zip_bomb,
    "zip bomb (lying header: 2 KB declared, 64 MiB inflated)": hostile.lying_zip_bomb,
    "200,000 cells named A1 in one row": hostile.one_ref_repeated,
    "20,000 cells without r in one row": hostile.cells_without_refs,
    "truncated zip": hostile.truncated_xlsx,
    "path traversal names": hostile.path_traversal_xlsx,
}

CHILD = r"""
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[4]) << 20, int(sys.argv[4]) << 20))
sys.path.insert(0, sys.argv[1])
import reading_under_test as reading
if sys.argv[3] == "stream":
    reading.XLSX_CALAMINE_MAX_BYTES = 0
t = time.perf_counter()
outcome, n = "read", 0
try:
    for _ in reading.open_roster(sys.argv[2]).records():
        n += 1
except reading.FileRejected as exc:
    outcome = "rejected: " + str(exc).split(" / ")[-1][:70]
except MemoryError:
    outcome = "MemoryError"
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"outcome": outcome if outcome != "read" else f"read {n} records",
                  "peak_mb": int(hwm.split()[1]) / 1024, "s": time.perf_counter() - t}))
"""


def module_dir(rev: str | None) -> Path:
    """A directory holding reading.py (working tree, or as of `rev`) as reading_under_test."""
    d = Path(tempfile.mkdtemp(prefix="reading-"))
    source = (
        subprocess.run(
            ["git", "show", f"{rev}:enrollment/reading.py"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        if rev
        else (ROOT / "enrollment" / "reading.py").read_text()
    )
    (d / "reading_under_test.py").write_text(source)
    return d


def read_in_child(mod: Path, path: Path, reader: str, limit_mb: int, timeout: float = 60) -> dict:
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(mod), str(path), reader, str(limit_mb)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {
            "outcome": f"still reading after {timeout:.0f} s: killed",
            "peak_mb": float("nan"),
            "s": timeout,
        }
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1][:70]
        return {"outcome": f"process died (exit {done.returncode}): {tail}", "peak_mb": float("nan"), "s": 0}
    return json.loads(done.stdout)


def sparse_as_openpyxl_writes_it(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.worksheets[0]
    ws["A1"], ws["XFD1048576"] = "uscc", "x"
    wb.save(path)


def legit_workbook(path: Path, n: int) -> None:
    """A market_entities workbook of n rows with a shared-strings table, written streaming."""
    from wuhai_coverage.core.validators import uscc_check_char

    rng = random.Random(3)
    header = [
        "统一社会信用代码",
        "企业名称",
        "主体类型",
        "登记状态",
        "成立日期",
        "所属区划代码",
        "街道代码",
        "行业代码",
        "法定代表人",
        "住所",
        "联系电话",
        "从业人数",
    ]
    strings: dict[str, int] = {}

    def s(v: str) -> str:
        return f'<c r="{{}}" t="s"><v>{strings.setdefault(v, len(strings))}</v></c>'

    cols = "ABCDEFGHIJKL"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{hostile.MAIN_NS}">'
                f'<dimension ref="A1:L{n + 1}"/><sheetData>'.encode()
            )
            for r in range(1, n + 2):
                if r == 1:
                    cells = [s(h) for h in header]
                else:
                    body = f"91150302{rng.randrange(10**9):09d}"
                    street = rng.choice(["150302001", "150303001", "150304002"])
                    cells = [
                        s(body + uscc_check_char(body)),
                        s(f"乌海市测试{r}商贸有限公司"),
                        s("企业"),
                        s("存续"),
                        s(f"2015-0{r % 9 + 1}-1{r % 9}"),
                        f'<c r="{{}}"><v>{street[:6]}</v></c>',
                        f'<c r="{{}}"><v>{street}</v></c>',
                        s("C3011"),
                        s(rng.choice("王李张刘") + "伟"),
                        s(f"海勃湾区{r}号"),
                        f'<c r="{{}}"><v>1390000{r % 10000:04d}</v></c>',
                        f'<c r="{{}}"><v>{r % 50}</v></c>',
                    ]
                out.write(
                    (
                        f'<row r="{r}">'
                        + "".join(c.format(f"{col}{r}") for c, col in zip(cells, cols, strict=True))
                        + "</row>"
                    ).encode()
                )
            out.write(b"</sheetData></worksheet>")
        sst = "".join(f"<si><t>{v}</t></si>" for v in strings)
        z.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{hostile.MAIN_NS}" '
            f'count="{len(strings)}" uniqueCount="{len(strings)}">{sst}</sst>',
        )
        z.writestr("[Content_Types].xml", hostile.content_types(1, shared_strings=True))
        z.writestr("_rels/.rels", hostile.ROOT_RELS)
        z.writestr("xl/workbook.xml", hostile.workbook_xml(1))
        z.writestr("xl/_rels/workbook.xml.rels", hostile.workbook_rels(1, shared_strings=True))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--rows",
        type=int,
        nargs="*",
        default=[80_000, 300_000],
        help="legitimate workbooks to time (rows each)",
    )
    parser.add_argument("--before", help="also read the corpus with reading.py as of this git revision")
    parser.add_argument("--skip-corpus", action="store_true", help="only time the legitimate workbooks")
    parser.add_argument(
        "--limit-mb", type=int, default=2048, help="address-space limit of each reader process"
    )
    args = parser.parse_args()
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuhai_coverage.settings")
    import django

    django.setup()

    work = Path(tempfile.mkdtemp(prefix="hostile-"))
    now = module_dir(None)
    before = module_dir(args.before) if args.before else None
    if isinstance(sys.stdout, io.TextIOWrapper):  # not when a test runner captured it
        sys.stdout.reconfigure(line_buffering=True)
    print(f"1. hostile corpus (address space capped at {args.limit_mb} MB per reader process)\n")
    for i, (label, build) in enumerate({} if args.skip_corpus else CORPUS.items()):
        path = work / f"h{i}.xlsx"
        if build is None:
            sparse_as_openpyxl_writes_it(path)
        else:
            path.write_bytes(build())
        print(f"  {label} — {path.stat().st_size:,} bytes")
        for reader in ("calamine", "stream"):
            for name, mod in (("now", now), ("before", before)):
                if mod is None:
                    continue
                r = read_in_child(mod, path, reader, args.limit_mb)
                print(f"    {reader:8} {name:6} {r['peak_mb']:7.1f} MB {r['s']:6.2f} s  {r['outcome']}")
    csv = hostile.endless_line_csv(work / "long.csv", megabytes=0 if args.skip_corpus else 100)
    print("  CSV with one 100 MB line")
    for name, mod in (("now", now), ("before", before)):
        if mod is not None:
            r = read_in_child(mod, csv, "calamine", args.limit_mb)
            print(f"    csv      {name:6} {r['peak_mb']:7.1f} MB {r['s']:6.2f} s  {r['outcome']}")
    csv.unlink()

    from enrollment import reading

    print("\n2. pre-check time on legitimate workbooks (shared strings)\n")
    for n in args.rows:
        path = work / f"legit{n}.xlsx"
        legit_workbook(path, n)
        size = path.stat().st_size
        xml = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").file_size
        t = time.perf_counter()
        extent = reading.inspect_xlsx(path)
        check = time.perf_counter() - t
        reader = "calamine" if size <= reading.XLSX_CALAMINE_MAX_BYTES else "stream"
        r = read_in_child(now, path, reader, 4096, timeout=1800)
        print(
            f"  {n:,} rows: {size / 2**20:.1f} MB file, {xml / 2**20:.0f} MB sheet XML; extent "
            f"{extent.max_row}×{extent.max_col}, {extent.cells:,} cells"
        )
        print(
            f"    pre-check {check:.2f} s; full read by {reader} (pre-check included) {r['s']:.2f} s, "
            f"peak {r['peak_mb']:.0f} MB → pre-check is {100 * check / r['s']:.0f} % of the read"
        )
        if before is not None:
            rb = read_in_child(before, path, reader, 4096, timeout=1800)
            print(f"    before: full read {rb['s']:.2f} s, peak {rb['peak_mb']:.0f} MB")
        path.unlink()


if __name__ == "__main__":
    main()
