#!/usr/bin/env python3
"""Independent check of one csv-aggregator output (run by the benchmark runner).

usage: check.py INPUT OUTPUT STDOUT

Recomputes the GROUP BY (region, product) aggregate of INPUT with Python's csv module (bytes are
decoded as latin-1, so every byte maps to one character and back), validates qty and unit_price
with the spec's regular expressions, sums Python ints (no overflow, no floats), formats the
expected output file and summary line as the spec says and compares them byte for byte.
Exit 0 when equal; otherwise print the first difference and exit 1.
"""
import csv
import os
import re
import sys

QTY = re.compile(r"-?[0-9]{1,9}")
PRICE = re.compile(r"([0-9]{1,7})\.([0-9]{2})")
HEADER = b"region,product,count,sum_qty,revenue,min_price,max_price\n"
I64 = 1 << 63


def fail(msg):
    print(f"check.py: {msg}", file=sys.stderr)
    sys.exit(1)


def cents(v):
    sign = "-" if v < 0 else ""
    v = abs(v)
    return f"{sign}{v // 100}.{v % 100:02d}"


def field(s):
    if any(c in s for c in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def expected(path):
    groups = {}
    records = 0
    with open(path, newline="", encoding="latin-1") as f:
        rd = csv.reader(f, strict=True)
        header = next(rd, None)
        if header is None:
            fail("input is empty")
        for name in ("region", "product", "qty", "unit_price"):
            if header.count(name) != 1:
                fail(f"header must hold {name!r} exactly once")
        n = len(header)
        ir, ip, iq, iu = (header.index(c) for c in ("region", "product", "qty", "unit_price"))
        for row in rd:
            records += 1
            if len(row) != n:
                fail(f"data record {records}: {len(row)} fields, header has {n}")
            if not QTY.fullmatch(row[iq]):
                fail(f"data record {records}: invalid qty {row[iq]!r}")
            m = PRICE.fullmatch(row[iu])
            if not m:
                fail(f"data record {records}: invalid unit_price {row[iu]!r}")
            q, p = int(row[iq]), int(m.group(1)) * 100 + int(m.group(2))
            g = groups.get((row[ir], row[ip]))
            if g is None:
                groups[(row[ir], row[ip])] = [1, q, q * p, p, p]
            else:
                g[0] += 1
                g[1] += q
                g[2] += q * p
                if p < g[3]:
                    g[3] = p
                if p > g[4]:
                    g[4] = p
    lines = [HEADER]
    for (r, p), (c, q, rev, lo, hi) in sorted(groups.items()):
        if not (-I64 <= q < I64 and -I64 <= rev < I64):
            fail(f"group {(r, p)!r}: a sum leaves int64 (the program should have failed)")
        lines.append(f"{field(r)},{field(p)},{c},{q},{cents(rev)},{cents(lo)},{cents(hi)}\n"
                     .encode("latin-1"))
    summary = f'{{"bytes":{os.path.getsize(path)},"records":{records},"groups":{len(groups)}}}\n'
    return lines, summary.encode()


def main():
    if len(sys.argv) != 4:
        fail("usage: check.py INPUT OUTPUT STDOUT")
    want, want_summary = expected(sys.argv[1])
    want = b"".join(want)
    got = open(sys.argv[2], "rb").read()
    if got != want:
        i = next((k for k in range(min(len(got), len(want))) if got[k] != want[k]), min(len(got), len(want)))
        line = want.count(b"\n", 0, i) + 1
        ws = want.rfind(b"\n", 0, i) + 1
        gs = got.rfind(b"\n", 0, i) + 1
        w = want[ws:want.find(b"\n", i) + 1 or len(want)]
        g = got[gs:got.find(b"\n", i) + 1 or len(got)]
        fail(f"output differs at byte {i} (line {line}): expected {w!r}, got {g!r}")
    summary = open(sys.argv[3], "rb").read()
    if summary != want_summary:
        fail(f"summary line: expected {want_summary!r}, got {summary!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
