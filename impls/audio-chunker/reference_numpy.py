#!/usr/bin/env python3
"""Reference row: the audio chunker as a Python programmer would write it with NumPy.

usage: reference_numpy.py < input.pcm > records.bin

The program of README.md (same command line, input, records, exit codes and real-time
behaviour: one read(2) of up to 64 KiB at a time, every complete frame processed before the
next read, each record written whole the moment it is decided), driven by tools/chunkdrive like
the three implementations. NumPy computes the frame energies; the per-frame decisions are plain
Python. Unlike reference.py (the oracle check.py compares every row with), it streams.
"""
import os
import struct
import sys

import numpy as np

FRAME = 320
FRAME_BYTES = 2 * FRAME
ON = 320 * 1000 * 1000
OFF = 320 * 500 * 500
HANGOVER = 15
PREROLL = 5
MIN_VOICED = 5
MAX = 80_000
OVERLAP = 8_000
HEADER = 24
READ_BUFFER = 64 * 1024

SILENCE, MAXLEN, EOS = 0, 1, 2
HEADER_FORMAT = struct.Struct("<4sIQIBBH")


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class Chunker:
    """Fed the stream in pieces of any size; writes each record to `fd` once it is decided."""

    def __init__(self, fd):
        self.fd = fd
        self.speaking = False
        self.silent_run = 0
        self.seq = 0
        self.frame_index = 0
        self.open = False
        self.start = 0
        self.voiced = 0
        # HEADER bytes of room for the header, then the open chunk's samples as input bytes, or,
        # while no chunk is open, the pre-roll (at most PREROLL frames since the last close).
        self.buf = bytearray(HEADER)
        self.partial = b""

    def feed(self, data):
        if self.partial:
            data = self.partial + data
        frames = len(data) // FRAME_BYTES
        if frames:
            samples = np.frombuffer(data, dtype="<i2", count=frames * FRAME).astype(np.int64)
            energies = (samples * samples).reshape(frames, FRAME).sum(axis=1).tolist()
            for i, energy in enumerate(energies):
                self.frame(data[i * FRAME_BYTES:(i + 1) * FRAME_BYTES], energy)
        self.partial = bytes(data[frames * FRAME_BYTES:])

    def finish(self):
        """Closes the open chunk, with the partial frame, as end-of-stream; True on an odd byte."""
        odd = len(self.partial) % 2 == 1
        if self.open:
            self.buf += self.partial[:len(self.partial) & ~1]
            self.close(EOS)
            self.open = False
        return odd

    def length(self):
        return (len(self.buf) - HEADER) // 2

    def frame(self, f, energy):
        if not self.speaking and energy >= ON:
            self.speaking = True
        elif self.speaking and energy < OFF:
            self.speaking = False
        self.silent_run = 0 if self.speaking else min(self.silent_run + 1, HANGOVER)
        k = self.frame_index
        self.frame_index += 1

        if not self.open:
            if not self.speaking:
                if self.length() == PREROLL * FRAME:
                    del self.buf[HEADER:HEADER + FRAME_BYTES]
                self.buf += f
                return
            # The pre-roll holds min(PREROLL, frames since the last close) frames.
            self.open = True
            self.start = k * FRAME - self.length()
            self.voiced = 0

        self.buf += f
        if self.speaking:
            self.voiced += 1
        if self.silent_run >= HANGOVER:
            self.close(SILENCE)
            self.open = False
            del self.buf[HEADER:]
        elif self.length() == MAX:
            self.close(MAXLEN)
            del self.buf[HEADER:len(self.buf) - 2 * OVERLAP]
            self.start += MAX - OVERLAP
            self.voiced = 0

    def close(self, reason):
        if self.voiced < MIN_VOICED:
            return
        HEADER_FORMAT.pack_into(self.buf, 0, b"ACHK", self.seq, self.start, self.length(), reason, 0, self.voiced)
        self.seq = (self.seq + 1) & 0xFFFFFFFF
        write_all(self.fd, self.buf)


def main():
    if len(sys.argv) != 1:
        print("usage: reference_numpy.py < input.pcm > records.bin", file=sys.stderr)
        return 2
    # Python already ignores SIGPIPE: a closed stdout is a BrokenPipeError below.
    chunker = Chunker(1)
    while True:
        try:
            data = os.read(0, READ_BUFFER)
        except OSError as e:
            print(f"audio-chunker: stdin: {e.strerror}", file=sys.stderr)
            return 1
        try:
            if not data:
                odd = chunker.finish()
                break
            chunker.feed(data)
        except OSError as e:
            print(f"audio-chunker: stdout: {e.strerror}", file=sys.stderr)
            return 1
    if odd:
        print("audio-chunker: warning: input ends with an odd byte; ignored", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
