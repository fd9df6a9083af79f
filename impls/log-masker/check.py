#!/usr/bin/env python3
"""Independent consistency check of one log-masker output (run by the benchmark runner).

usage: check.py INPUT OUTPUT STDOUT

Checks, without re-implementing the masking rules:
- the summary line on STDOUT is the spec's JSON with its keys in order;
- bytes_in is the input's size, bytes_out the output's, lines the input's line count;
- the output has exactly as many lines as the input;
- every output line equals its input line wherever the input line holds no byte that can start a
  rule (a line of only other bytes must be copied unchanged), and every replacement label in the
  output is one of the spec's;
- the number of labels in the output equals the sum of the masked counts.
Exit 0 when all hold; otherwise print the first problem and exit 1.
"""
import json
import re
import sys

KEYS = ["jwt", "bearer", "secret", "api_key", "email", "ipv6", "ipv4", "thai_id", "card", "phone"]
LABELS = [b"[JWT]", b"[TOKEN]", b"[REDACTED]", b"[API_KEY]", b"[EMAIL]", b"[IPV6]", b"[IPV4]",
          b"[THAI_ID]", b"[CARD]", b"[PHONE]"]
# Bytes that may start a rule: letters, digits, and . _ % + - ( : (see the spec).
CAN_START = re.compile(rb"[A-Za-z0-9._%+\-(:]")


def fail(msg):
    print(f"check.py: {msg}", file=sys.stderr)
    sys.exit(1)


def count_lines(data):
    n = data.count(b"\n")
    return n + (1 if data and not data.endswith(b"\n") else 0)


def main():
    if len(sys.argv) != 4:
        fail("usage: check.py INPUT OUTPUT STDOUT")
    inp = open(sys.argv[1], "rb").read()
    out = open(sys.argv[2], "rb").read()
    lines = [l for l in open(sys.argv[3], "rb").read().splitlines() if l.strip()]
    if len(lines) != 1:
        fail(f"stdout must hold exactly one line, found {len(lines)}")
    summary = json.loads(lines[0])
    if list(summary) != ["bytes_in", "bytes_out", "lines", "masked"]:
        fail(f"summary keys {list(summary)} are not in the spec's order")
    if list(summary["masked"]) != KEYS:
        fail(f"masked keys {list(summary['masked'])} are not the spec's")
    if summary["bytes_in"] != len(inp):
        fail(f"bytes_in {summary['bytes_in']} but the input has {len(inp)} bytes")
    if summary["bytes_out"] != len(out):
        fail(f"bytes_out {summary['bytes_out']} but the output has {len(out)} bytes")
    if summary["lines"] != count_lines(inp):
        fail(f"lines {summary['lines']} but the input has {count_lines(inp)} lines")
    in_lines = inp.split(b"\n")
    out_lines = out.split(b"\n")
    if len(in_lines) != len(out_lines):
        fail(f"output has {len(out_lines)} line pieces, input {len(in_lines)}")
    labels = 0
    for i, (a, b) in enumerate(zip(in_lines, out_lines), start=1):
        if not CAN_START.search(a) and a != b:
            fail(f"line {i}: holds nothing maskable but was changed")
        labels += sum(b.count(l) - a.count(l) for l in LABELS)
    masked = sum(summary["masked"].values())
    if labels != masked:
        fail(f"the output gained {labels} labels but the summary counts {masked} matches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
