#!/usr/bin/env python3
"""Reference row: the same GROUP BY computed by DuckDB (the tool a user would otherwise reach for).

usage: reference_duckdb.py [--threads N|all] INPUT OUTPUT

DuckDB reads INPUT with its CSV reader (dialect given, not sniffed: `,` separator, `"` quote and
escape, a header; every column read as text, so no column type is guessed; strict_mode off, as
the spec's mix of LF and CR LF terminators needs), casts qty to BIGINT
and unit_price to DECIMAL(9,2) (exact, no floating point), groups, aggregates and sorts. This
script only formats DuckDB's ~36,000 result rows the way the spec's *Output file* says (DuckDB's
own COPY ... TO writes an empty string as "") and prints the spec's summary line, so the output
can be verified like an implementation's. `--threads` sets DuckDB's worker threads (`all`: its
default, one per core).

Where it is more lenient than the spec (only malformed input can tell): DuckDB's casts accept
surrounding spaces, `+1`, `1.5` or `12.505` (rounded); sums are 128-bit, so an int64 overflow is
not reported; records must be UTF-8; an unquoted empty region/product (NULL to DuckDB) is grouped
with the quoted empty one ("" ), as the spec says. Its errors are DuckDB's, not the spec's lines.
"""
import argparse
import os
import sys

import duckdb

QUERY = """
SELECT coalesce(region, '') AS region, coalesce(product, '') AS product, count(*) AS n,
       sum(q) AS sum_qty, sum(q * p) AS revenue, min(p) AS min_price, max(p) AS max_price
FROM (
    SELECT region, product, CAST(qty AS BIGINT) AS q, CAST(unit_price AS DECIMAL(9, 2)) AS p
    FROM read_csv($path, header = true, delim = ',', quote = '"', escape = '"',
                  all_varchar = true, strict_mode = false)
)
GROUP BY ALL
ORDER BY region, product
"""


def field(s):
    b = s.encode()
    if any(c in b for c in b',"\r\n'):
        return b'"' + b.replace(b'"', b'""') + b'"'
    return b


def cents(d):
    v = int(d * 100)  # an exact Decimal with 2 fraction digits
    sign = "-" if v < 0 else ""
    v = abs(v)
    return f"{sign}{v // 100}.{v % 100:02d}".encode()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", default="all", help="DuckDB worker threads, or 'all' (default)")
    ap.add_argument("input")
    ap.add_argument("output")
    args = ap.parse_args()
    con = duckdb.connect()
    if args.threads != "all":
        con.execute(f"SET threads = {int(args.threads)}")
    rows = con.execute(QUERY, {"path": args.input}).fetchall()
    records = 0
    with open(args.output, "wb") as out:
        out.write(b"region,product,count,sum_qty,revenue,min_price,max_price\n")
        for region, product, n, sum_qty, revenue, lo, hi in rows:
            records += n
            out.write(b",".join((field(region), field(product), str(n).encode(),
                                 str(sum_qty).encode(), cents(revenue), cents(lo), cents(hi)))
                      + b"\n")
    size = os.path.getsize(args.input)
    sys.stdout.write(f'{{"bytes":{size},"records":{records},"groups":{len(rows)}}}\n')


if __name__ == "__main__":
    main()
