"""Convert the shared KSIC tables into the package's versioned reference files.

Run once when the shared tables change:  python scripts/build_ksic.py ../shared/data/ksic
Writes src/techvalley/registry/data/ksic/ksic_rev{9,10,11}.csv with columns
code,name,level,parent (level 1 = section … 5 = sub-class).
"""

import csv
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/techvalley/registry/data/ksic"
SECTION_RANGE = re.compile(r"\s*\(\s*\d+\s*~\s*\d+\s*\)\s*$")


def parent_of(code: str, division_section: dict[str, str]) -> str:
    if len(code) == 1:
        return ""
    if len(code) == 2:
        return division_section[code]
    return code[:-1]


def write(rev: str, rows: list[tuple[str, str, int]], division_section: dict[str, str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / f"ksic_rev{rev}.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["code", "name", "level", "parent"])
        for code, name, level in rows:
            w.writerow([code, name, level, parent_of(code, division_section)])
    print(f"revision {rev}: {len(rows)} codes")


def main(src: Path) -> None:
    old = list(csv.DictReader(open(src / "ksic_codes.csv", encoding="utf-8")))
    tree = list(csv.DictReader(open(src / "ksic_tree.csv", encoding="utf-8")))
    for rev in ("9", "10"):
        division_section = {t["ksic2_cd"]: t["ksic1_cd"] for t in tree if t["ksic_C"] == f"C{rev}"}
        rows = [
            (r["cd"], SECTION_RANGE.sub("", r["nm"]).strip(), int(r["digit"])) for r in old if r["ksic_C"] == f"C{rev}"
        ]
        write(rev, rows, division_section)
    new = list(csv.DictReader(open(src / "ksic11.csv", encoding="utf-8")))
    division_section, section = {}, ""
    for r in new:  # the published text lists each division under its section
        if r["level"] == "1":
            section = r["code"]
        elif r["level"] == "2":
            division_section[r["code"]] = section
    write("11", [(r["code"], r["name"].strip(), int(r["level"])) for r in new], division_section)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/ksic"))
