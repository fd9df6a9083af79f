#!/usr/bin/env python3
"""Reference audio chunker: a plain transcription of README.md's algorithm (not fast, not streaming).

usage: reference.py INPUT.pcm OUTPUT.records

Reads the whole PCM file, writes the records the spec requires. check.py compares each
implementation's records with this output byte for byte.
"""
import struct
import sys
from array import array

FRAME = 320
ON = 320 * 1000 * 1000
OFF = 320 * 500 * 500
HANGOVER = 15
PREROLL = 5
MIN_VOICED = 5
MAX = 80_000
OVERLAP = 8_000

SILENCE, MAXLEN, EOS = 0, 1, 2


def chunk(data):
    """Returns (records as bytes, odd_byte)."""
    odd = len(data) % 2 == 1
    if odd:
        data = data[:-1]
    samples = array("h")
    samples.frombytes(data)
    if sys.byteorder != "little":
        samples.byteswap()
    n = len(samples)
    out = bytearray()
    speaking = False
    silent_run = 0
    seq = 0
    floor = 0
    open_ = False
    start = 0
    voiced = 0

    def close(reason, end):
        nonlocal seq
        if voiced >= MIN_VOICED:
            out.extend(b"ACHK")
            out.extend(struct.pack("<IQIBBH", seq & 0xFFFFFFFF, start, end - start, reason, 0, voiced))
            out.extend(data[2 * start:2 * end])
            seq += 1

    frames = n // FRAME
    for k in range(frames):
        lo = k * FRAME
        energy = sum(s * s for s in samples[lo:lo + FRAME])
        if not speaking and energy >= ON:
            speaking = True
        elif speaking and energy < OFF:
            speaking = False
        silent_run = 0 if speaking else silent_run + 1
        if not open_ and speaking:
            open_ = True
            start = max(FRAME * (k - PREROLL), floor, 0)
            voiced = 0
        if not open_:
            continue
        end = lo + FRAME
        if speaking:
            voiced += 1
        if silent_run >= HANGOVER:
            close(SILENCE, end)
            floor = end
            open_ = False
        elif end - start == MAX:
            close(MAXLEN, end)
            start = end - OVERLAP
            voiced = 0
    if open_:
        close(EOS, n)
    return bytes(out), odd


def main():
    if len(sys.argv) != 3:
        print("usage: reference.py INPUT.pcm OUTPUT.records", file=sys.stderr)
        sys.exit(2)
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    records, odd = chunk(data)
    with open(sys.argv[2], "wb") as f:
        f.write(records)
    if odd:
        print("reference.py: warning: input ends with an odd byte; ignored", file=sys.stderr)


if __name__ == "__main__":
    main()
