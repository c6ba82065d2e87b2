"""How often the metadata read from a report matches what a careful reader files it under.

    python -m benchmarks.metadata FOLDER [--show]

FOLDER holds report files and `expected.jsonl` ({"source", "bureau", "province", "city", "county",
"year", "published", "kind"} per line). Prints, per field, how many reports were read right, and
with --show the fields that were not (leave it off on a test set you must not tune on).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from index.metadata import read_metadata
from index.readers import read_report_text

FIELDS = ("bureau", "region", "year", "published", "kind")


def measure(folder: Path) -> list[tuple[str, dict[str, tuple[object, object]]]]:
    """For each report: the fields read wrong, as (read, expected)."""
    results = []
    for line in (folder / "expected.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        expected = json.loads(line)
        meta = read_metadata(read_report_text(folder / expected["source"]), expected["source"])
        read = {"bureau": meta.bureau, "region": (meta.province, meta.city, meta.county), "year": meta.year, "published": meta.published, "kind": meta.kind}
        wanted = {**expected, "region": (expected["province"], expected["city"], expected["county"])}
        results.append((expected["source"], {f: (read[f], wanted[f]) for f in FIELDS if read[f] != wanted[f]}))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--show", action="store_true", help="list what was read wrong")
    args = parser.parse_args()
    results = measure(args.folder)
    print(f"{len(results)} reports in {args.folder}")
    for field in FIELDS:
        right = sum(field not in wrong for _, wrong in results)
        print(f"  {field:<10} {right:>3} / {len(results)} right")
    all_three = sum(not ({"bureau", "year", "kind"} & set(wrong)) for _, wrong in results)
    print(f"  bureau, year and kind all right: {all_three} / {len(results)}")
    if args.show:
        for source, wrong in results:
            for field, (read, wanted) in wrong.items():
                print(f"  ✗ {source} {field}: read {read!r}, expected {wanted!r}")


if __name__ == "__main__":
    main()
