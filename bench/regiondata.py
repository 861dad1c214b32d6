"""The region's roster files: all eleven kinds as the departments would push them (CSV, UTF-8,
Chinese headers and values), streamed to disk, deterministic by seed.

Sizes follow bench/comparison.py's Wuhai world (60,000 market entities, 560,000 household
persons, …) times REGION_FACTOR (43: Inner Mongolia's ~24 M household residents and
~2.5 M market entities against Wuhai's 560 k and 60 k), times --scale: 1 is the region,
0.25 a quarter, and 1/43 (`--scale wuhai`) Wuhai itself. Every value is a pure function of
(seed, kind, row index) — no row is held in memory, so the generator's memory is flat at
any size — and the keys are unique by construction (a USCC carries its index, an ID number
maps its index to a distinct (area, birth date, sequence)). The region's rows all route to
Wuhai's three districts and their streets (the portal's reference data); the volumes, not
the geography, are what the region bench measures.

    .venv/bin/python bench/regiondata.py --scale 0.25 --seed 7 [--out var/region]

Writes <out>/s<scale>-seed<seed>/<kind>.csv and manifest.json (rows and bytes per kind);
a directory whose manifest matches is reused as it is.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wuhai_coverage.core.validators import ric_check_char, uscc_check_char  # noqa: E402

REGION_FACTOR = 43
D = dt.date(2025, 6, 15)  # the snapshot date of every file (bench/comparison.py's D)
# Wuhai's base counts (bench/comparison.py, scale 1).
BASE = {
    "market": 60_000,
    "payroll": 50_000,
    "enrolled": 45_000,
    "household": 560_000,
    "person_rows": 600_000,
    "registry": 15_000,
    "dust": 1_500,
    "projects": 1_500,
}


def _reference() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Wuhai's streets per district and community names per street, from the product's fixtures."""
    import csv

    streets: dict[str, list[str]] = {}
    communities: dict[str, list[str]] = {}
    with open(ROOT / "fixtures" / "wuhai_streets.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            streets.setdefault(row["district_code"], []).append(row["code"])
    with open(ROOT / "fixtures" / "wuhai_communities.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            communities.setdefault(row["street_code"], []).append(row["name"])
    return streets, communities


DISTRICT_STREETS, COMMUNITIES = _reference()
DISTRICTS = list(DISTRICT_STREETS)
STREETS = [(d, s) for d, streets in DISTRICT_STREETS.items() for s in streets]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
INDUSTRIES = ["B0610", "B0810", "C3011", "C3110", "F5191", "H6210", "G5430", "E4710", "B0711", "C2614"]
MASK64 = (1 << 64) - 1
KIND_STREAM = {
    k: n
    for n, k in enumerate(
        [
            "market_entities",
            "tax_payroll",
            "insurance_employers",
            "dust_hazard",
            "household_registry",
            "insurance_persons",
            "civil_affairs",
            "poverty_registry",
            "disability_registry",
            "construction_projects",
            "insurance_projects",
            "heads",
            "person",
        ],
        start=1,
    )
}


def mix(seed: int, stream: int, i: int) -> int:
    """splitmix64 of (seed, stream, i): 64 well-mixed bits, the same on every machine."""
    z = (seed * 0x9E3779B97F4A7C15 + stream * 0xBF58476D1CE4E5B9 + i * 0x94D049BB133111EB) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def pick(h: int, weights: list[tuple[str, int]]) -> str:
    total = sum(w for _, w in weights)
    r = h % total
    for value, w in weights:
        if r < w:
            return value
        r -= w
    return weights[-1][0]


def sizes(scale: float) -> dict[str, int]:
    return {k: max(1, round(v * REGION_FACTOR * scale)) for k, v in BASE.items()}


def period_back(months: int) -> str:
    m = D.year * 12 + D.month - 1 - months
    return f"{m // 12}-{m % 12 + 1:02d}"


def uscc(i: int, district: str) -> str:
    body = f"91{district}{i:09d}"
    return body + uscc_check_char(body)


def person_id(p: int) -> tuple[str, dt.date]:
    """Person p → an ID number, unique for p < 87.6 M: (area, birth date, sequence) is a
    bijection of p (29,200 birth dates × 1,000 sequences per area code)."""
    block, seq = divmod(p, 1000)
    area = DISTRICTS[(block // 29_200) % 3]
    birth = dt.date(1935, 1, 1) + dt.timedelta(days=(block * 7919) % 29_200)
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + ric_check_char(first17), birth


def _name(h: int) -> str:
    return SURNAMES[h % len(SURNAMES)] + GIVEN[(h >> 8) % len(GIVEN)] + GIVEN[(h >> 16) % len(GIVEN)]


def _employer_district(seed: int, i: int) -> tuple[str, str]:
    return STREETS[mix(seed, KIND_STREAM["market_entities"], i) % len(STREETS)]


def _heads(seed: int, i: int) -> tuple[int, int]:
    h = mix(seed, KIND_STREAM["heads"], i)
    return [0, 1, 2, 3, 5, 8, 12, 20, 35, 60, 150][h % 11], 3000 + (h >> 8) % 13000


# --- one generator per kind: (header, rows) -----------------------------------------------------


def market_entities(seed: int, n: dict[str, int]) -> tuple[str, Iterator[str]]:
    header = "统一社会信用代码,企业名称,主体类型,登记状态,成立日期,所属区划代码,街道代码,行业代码,法定代表人,住所,联系电话,从业人数"

    def rows() -> Iterator[str]:
        for i in range(n["market"]):
            d, s = _employer_district(seed, i)
            h = mix(seed, 100, i)
            et = pick(
                h,
                [
                    ("企业", 40),
                    ("有限责任公司", 22),
                    ("个体工商户", 30),
                    ("农民专业合作社", 3),
                    ("分支机构", 5),
                ],
            )
            st = pick(h >> 7, [("存续", 80), ("在营", 10), ("停业", 3), ("注销", 5), ("吊销", 2)])
            est = D - dt.timedelta(days=5 + (h >> 14) % 6995)
            emp = ["", "0", "1", "3", "10", "40"][(h >> 27) % 6]
            yield (
                f"{uscc(i, d)},乌海市{SURNAMES[i % 30]}氏{i}商贸有限公司,{et},{st},{est:%Y-%m-%d},{d},{s},"
                f"{INDUSTRIES[(h >> 33) % len(INDUSTRIES)]},{_name(h >> 20)},乌海市滨河路{i % 999}号,"
                f"13{(h >> 37) % 1_000_000_000:09d},{emp}"
            )

    return header, rows()


def _payroll_indices(n: dict[str, int]) -> Iterator[int]:
    organs = n["payroll"] // 25
    yield from range(n["payroll"] - organs)
    yield from range(n["market"], n["market"] + organs)


def _enrolled_indices(n: dict[str, int]) -> Iterator[int]:
    organs = n["payroll"] // 25
    yield from range(max(0, n["enrolled"] - organs))
    yield from range(n["market"], n["market"] + organs)


def tax_payroll(seed: int, n: dict[str, int]) -> tuple[str, Iterator[str]]:
    header = "纳税人识别号,纳税人名称,所属期,扣缴人数,工资薪金总额,主管税务机关区划代码"

    def rows() -> Iterator[str]:
        for i in _payroll_indices(n):
            d, _s = _employer_district(seed, i)
            heads, wage = _heads(seed, i)
            name = f"纳税人{i}" if i < n["market"] else f"事业单位{i - n['market']}"
            yield f"{uscc(i, d)},{name},{period_back(1)},{heads},{heads * wage}.00,{d}"

    return header, rows()


def insurance_employers(seed: int, n: dict[str, int]) -> tuple[str, Iterator[str]]:
    header = "统一社会信用代码,单位名称,区划代码,养老参保人数,工伤参保人数,失业参保人数,申报缴费基数总额,欠费金额,最近缴费所属期"

    def rows() -> Iterator[str]:
        for i in _enrolled_indices(n):
            d, _s = _employer_district(seed, i)
            heads, wage = _heads(seed, i)
            h = mix(seed, KIND_STREAM["insurance_employers"], i)
            ip = max(0, heads - ([0] * 17 + [1, 3, 10])[h % 20])
            ii = max(0, ip - (1 if (h >> 5) % 20 == 0 else 0))
            iu = max(0, ip - (2 if (h >> 10) % 20 == 0 else 0))
            base = ip * wage * (70 if (h >> 15) % 10 == 0 else 100) // 100
            arrears = (100 + (h >> 20) % 89_900) if (h >> 40) % 40 == 0 else 0
            lp = period_back([1, 1, 1, 2, 6][(h >> 45) % 5])
            district = d if (h >> 50) % 4 else ""
            yield f"{uscc(i, d)},参保单位{i},{district},{ip},{ii},{iu},{base}.00,{arrears}.00,{lp}"

    return header, rows()


def dust_hazard(seed: int, n: dict[str, int]) -> tuple[str, Iterator[str]]:
    header = "统一社会信用代码,用人单位名称,危害因素,接触人数,行业代码"
    stride = max(1, n["market"] // n["dust"])

    def rows() -> Iterator[str]:
        for k in range(min(n["dust"], n["market"])):
            i = k * stride
            d, _s = _employer_district(seed, i)
            h = mix(seed, KIND_STREAM["dust_hazard"], k)
            yield f"{uscc(i, d)},粉尘单位{i},矽尘,{h % 80},B0610"

    return header, rows()


def _person_home(seed: int, p: int) -> tuple[str, str, int]:
    h = mix(seed, KIND_STREAM["person"], p)
    d, s = STREETS[h % len(STREETS)]
    return d, s, h


def household_registry(seed: int, n: dict[str, int]) -> tuple[str, Iterator[str]]:
    header = "公民身份号码,姓名,区划代码,街道代码,社区,联系电话"

    def rows() -> Iterator[str]:
        for p in range(n["household"]):
            pid, _birth = person_id(p)
            d, s, h = _person_home(seed, p)
            phone = f"13{(h >> 20) % 1_000_000_000:09d}" if (h >> 12) % 3 else ""
            names = COMMUNITIES.get(s) or [""]
            yield f"{pid},{_name(h >> 8)},{d},{s},{names[(h >> 50) % len(names)]},{phone}"

    return header, rows()


def insurance_persons(seed: int, n: dict[str, int]) -> tuple[str, Iterator[str]]:
    header = "公民身份号码,姓名,险种,参保类型,参保状态,单位信用代码,最近缴费所属期,缴费基数,政府代缴,联系电话"
    pension_rows = n["person_rows"] * 88 // 100
    injury_rows = n["person_rows"] - pension_rows
    outsiders = pension_rows // 20
    pensioned = pension_rows - outsiders

    def rows() -> Iterator[str]:
        for block in (range(pensioned), range(n["household"], n["household"] + outsiders)):
            for p in block:
                pid, _birth = person_id(p)
                h = mix(seed, KIND_STREAM["insurance_persons"], p)
                st = pick(h, [("正常", 87), ("中断", 4), ("退休", 8), ("终止", 1)])
                back = [1] * 86 + [2] * 5 + [3] * 4 + [4] * 2 + [7] * 2 + [14]
                lp = period_back(back[(h >> 8) % 100]) if st in ("正常", "中断") else ""
                scheme = pick(h >> 16, [("企业职工", 60), ("灵活就业", 15), ("城乡居民", 25)])
                sub = "是" if (h >> 24) % 20 == 0 else "否"
                yield f"{pid},参保人,养老,{scheme},{st},,{lp},,{sub},"
        for p in range(injury_rows):
            pid, _birth = person_id(p)
            yield f"{pid},参保人,工伤,企业职工,正常,,{period_back(1)},,否,"

    return header, rows()


def _registry_people(n: dict[str, int], offset: int) -> Iterator[int]:
    stride = max(1, n["household"] // n["registry"])
    for k in range(min(n["registry"], n["household"])):
        yield (k * stride + offset % stride) % n["household"]


def civil_affairs(seed: int, n: dict[str, int]) -> tuple[str, Iterator[str]]:
    header = "身份证号,姓名,救助类别,起始日期,终止日期,区划代码,街道代码"

    def rows() -> Iterator[str]:
        for p in _registry_people(n, 1):
            pid, _b = person_id(p)
            d, s, _h = _person_home(seed, p)
            h = mix(seed, KIND_STREAM["civil_affairs"], p)
            vf = D - dt.timedelta(days=(h % 2030) - 30)
            vt = [
                "",
                "",
                f"{D - dt.timedelta(days=1 + (h >> 12) % 400):%Y-%m-%d}",
                f"{D + dt.timedelta(days=300):%Y-%m-%d}",
            ][(h >> 24) % 4]
            cat = "低保" if (h >> 30) % 2 else "特困"
            yield f"{pid},救助{p},{cat},{vf:%Y-%m-%d},{vt},{d},{s}"

    return header, rows()


def poverty_registry(seed: int, n: dict[str, int]) -> tuple[str, Iterator[str]]:
    header = "身份证号,姓名,状态,区划代码,街道代码"

    def rows() -> Iterator[str]:
        for p in _registry_people(n, 2):
            pid, _b = person_id(p)
            d, s, _h = _person_home(seed, p)
            h = mix(seed, KIND_STREAM["poverty_registry"], p)
            yield f"{pid},脱贫{p},{['未脱贫', '已脱贫', '已脱贫'][h % 3]},{d},{s}"

    return header, rows()


def disability_registry(seed: int, n: dict[str, int]) -> tuple[str, Iterator[str]]:
    header = "身份证号,姓名,残疾等级,区划代码,街道代码"

    def rows() -> Iterator[str]:
        for p in _registry_people(n, 3):
            pid, _b = person_id(p)
            d, s, _h = _person_home(seed, p)
            h = mix(seed, KIND_STREAM["disability_registry"], p)
            yield f"{pid},残疾{p},{h % 4 + 1},{d},{s}"

    return header, rows()


def construction_projects(seed: int, n: dict[str, int]) -> tuple[str, Iterator[str]]:
    header = "项目编号,项目名称,施工单位信用代码,施工单位名称,区划代码,开工日期,合同金额,用工人数"

    def rows() -> Iterator[str]:
        for k in range(n["projects"]):
            i = k % n["market"]
            d, _s = _employer_district(seed, i)
            h = mix(seed, KIND_STREAM["construction_projects"], k)
            start = D - dt.timedelta(days=(h % 960) - 60)
            yield (
                f"PRJ-{k},工程{k},{uscc(i, d)},建筑公司{k},{DISTRICTS[(h >> 10) % 3]},{start:%Y-%m-%d},"
                f"{100_000 + (h >> 20) % 89_900_000}.00,{5 + (h >> 50) % 395}"
            )

    return header, rows()


def insurance_projects(seed: int, n: dict[str, int]) -> tuple[str, Iterator[str]]:
    header = "项目编号,参保日期"

    def rows() -> Iterator[str]:
        enrolled = D - dt.timedelta(days=10)
        for k in range(0, n["projects"], 3):
            yield f"PRJ-{k},{enrolled:%Y-%m-%d}"

    return header, rows()


KINDS: dict[str, tuple[Callable[[int, dict[str, int]], tuple[str, Iterator[str]]], str]] = {
    # kind: (generator, department that pushes it — a department user's department code)
    "market_entities": (market_entities, "market"),
    "tax_payroll": (tax_payroll, "tax"),
    "insurance_employers": (insurance_employers, "hrss"),
    "dust_hazard": (dust_hazard, "health"),
    "household_registry": (household_registry, "public_security"),
    "insurance_persons": (insurance_persons, "hrss"),
    "civil_affairs": (civil_affairs, "civil_affairs"),
    "poverty_registry": (poverty_registry, "poverty"),
    "disability_registry": (disability_registry, "disability"),
    "construction_projects": (construction_projects, "housing"),
    "insurance_projects": (insurance_projects, "hrss"),
}


def write_kind(kind: str, seed: int, scale: float, path: Path) -> tuple[str, int, int]:
    """Stream one kind's file to `path` (through a .part file, renamed when complete)."""
    header, rows = KINDS[kind][0](seed, sizes(scale))
    part = path.with_suffix(".part")
    n = 0
    with open(part, "w", encoding="utf-8", newline="") as fh:
        fh.write(header + "\r\n")
        chunk: list[str] = []
        for line in rows:
            chunk.append(line)
            if len(chunk) == 20_000:
                fh.write("\r\n".join(chunk) + "\r\n")
                n += len(chunk)
                chunk.clear()
        if chunk:
            fh.write("\r\n".join(chunk) + "\r\n")
            n += len(chunk)
    part.rename(path)
    return kind, n, path.stat().st_size


def parse_scale(raw: str) -> float:
    return 1 / REGION_FACTOR if raw == "wuhai" else float(raw)


def generate(*, scale: float, seed: int, out: Path, jobs: int = 2) -> tuple[Path, dict]:
    """The files of (scale, seed) under `out`, generated unless a matching manifest exists."""
    folder = out / f"s{scale:g}-seed{seed}"
    manifest_path = folder / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("scale") == scale and manifest.get("seed") == seed:
            return folder, manifest
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    kinds: dict[str, dict] = {}
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(write_kind, k, seed, scale, folder / f"{k}.csv") for k in KINDS]
        for f in futures:
            kind, rows, size = f.result()
            kinds[kind] = {"rows": rows, "bytes": size, "department": KINDS[kind][1]}
    manifest = {
        "scale": scale,
        "seed": seed,
        "snapshot_date": D.isoformat(),
        "kinds": kinds,
        "seconds": round(time.monotonic() - started, 1),
    }
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    return folder, manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="1", help="1 = the region, 0.25 = a quarter, 'wuhai' = 1/43")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "region")
    parser.add_argument("--jobs", type=int, default=2, help="kinds written in parallel (processes)")
    args = parser.parse_args()
    folder, manifest = generate(scale=parse_scale(args.scale), seed=args.seed, out=args.out, jobs=args.jobs)
    total_rows = sum(k["rows"] for k in manifest["kinds"].values())
    total_bytes = sum(k["bytes"] for k in manifest["kinds"].values())
    print(f"{folder}: {total_rows:,} rows, {total_bytes / 1e9:.2f} GB, generated in {manifest['seconds']} s")
    for kind, k in manifest["kinds"].items():
        print(f"  {kind:24s} {k['rows']:>12,} rows {k['bytes'] / 1e6:>10,.0f} MB")


if __name__ == "__main__":
    main()
