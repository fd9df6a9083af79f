#!/usr/bin/env python3
"""Verification of one audio-chunker run (run by the benchmark runner, once per language).

usage: check.py INPUT.pcm RECORDS STDOUT

1. Structure, independently of any reference: every header (magic, seq without gaps, reason,
   reserved byte), payload = the input's samples at [start, start+length), starts on frame
   boundaries, length <= MAX, a `max` chunk is exactly MAX long, only an `eos` chunk (the last
   record) may end off a frame boundary, records in stream order, overlapping only after a `max`
   cut and then by exactly OVERLAP.
2. Boundaries: RECORDS must equal, byte for byte, what reference.py (the spec's algorithm
   transcribed) produces from INPUT.
3. The driver's JSON line on STDOUT agrees with RECORDS (chunks, records_sha256) and has a
   positive cpu_us_per_audio_s (the headline) and a numeric latency_us.p50.
Exit 0 when all hold; otherwise print the first problem and exit 1.
"""
import hashlib
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference  # noqa: E402

HEADER = 24


def fail(msg):
    print(f"check.py: {msg}", file=sys.stderr)
    sys.exit(1)


def parse(records):
    out = []
    i = 0
    while i < len(records):
        if len(records) - i < HEADER:
            fail(f"truncated header at byte {i}")
        magic, seq, start, length, reason, zero, voiced = struct.unpack_from("<4sIQIBBH", records, i)
        if magic != b"ACHK" or zero != 0 or reason > 2:
            fail(f"record {len(out)}: bad header {records[i:i + HEADER].hex()}")
        end = i + HEADER + 2 * length
        if end > len(records):
            fail(f"record {len(out)}: payload cut short")
        out.append((seq, start, length, reason, voiced, records[i + HEADER:end]))
        i = end
    return out


def check_structure(data, recs):
    samples = len(data) // 2
    prev_end, prev_reason = 0, None
    for n, (seq, start, length, reason, voiced, payload) in enumerate(recs):
        where = f"record {n} (start {start}, length {length})"
        if seq != n:
            fail(f"{where}: sequence number {seq}")
        if length == 0 or start + length > samples:
            fail(f"{where}: not within the {samples} input samples")
        if payload != data[2 * start:2 * (start + length)]:
            fail(f"{where}: payload differs from the input")
        if start % reference.FRAME:
            fail(f"{where}: start is not on a frame boundary")
        if length > reference.MAX:
            fail(f"{where}: longer than MAX")
        if reason == reference.MAXLEN and length != reference.MAX:
            fail(f"{where}: a max cut must be exactly MAX samples")
        if reason == reference.EOS:
            if n != len(recs) - 1:
                fail(f"{where}: an eos chunk that is not the last record")
        elif (start + length) % reference.FRAME:
            fail(f"{where}: ends off a frame boundary")
        if voiced < reference.MIN_VOICED:
            fail(f"{where}: only {voiced} voiced frames")
        if n > 0:
            if prev_reason == reference.MAXLEN and start < prev_end:
                if start != prev_end - reference.OVERLAP:
                    fail(f"{where}: overlaps the cut chunk before it by {prev_end - start}, not OVERLAP")
            elif start < prev_end:
                fail(f"{where}: overlaps the chunk before it")
        prev_end, prev_reason = start + length, reason


def main():
    if len(sys.argv) != 4:
        fail("usage: check.py INPUT.pcm RECORDS STDOUT")
    data = open(sys.argv[1], "rb").read()
    records = open(sys.argv[2], "rb").read()
    lines = [l for l in open(sys.argv[3], "rb").read().splitlines() if l.strip()]

    recs = parse(records)
    check_structure(data[:len(data) & ~1], recs)

    expected, _ = reference.chunk(data)
    if records != expected:
        exp = parse(expected)
        for n, (a, b) in enumerate(zip(recs, exp)):
            if a[:5] != b[:5]:
                fail(f"record {n} is (seq, start, length, reason, voiced) = {a[:5]}, the reference says {b[:5]}")
        fail(f"{len(recs)} records, the reference has {len(exp)}")

    if not lines:
        fail("the driver printed nothing on stdout")
    summary = json.loads(lines[-1])
    if summary.get("chunks") != len(recs):
        fail(f"driver says {summary.get('chunks')} chunks, the file has {len(recs)}")
    if summary.get("records_sha256") != hashlib.sha256(records).hexdigest():
        fail("driver's records_sha256 is not the file's")
    cpu = summary.get("cpu_us_per_audio_s")
    if not isinstance(cpu, (int, float)) or cpu <= 0:
        fail(f"cpu_us_per_audio_s is {cpu!r}")
    p50 = summary.get("latency_us", {}).get("p50")
    if not isinstance(p50, (int, float)) or p50 < 0:
        fail(f"latency_us.p50 is {p50!r}")


if __name__ == "__main__":
    main()
