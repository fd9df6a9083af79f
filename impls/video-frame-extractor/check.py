#!/usr/bin/env python3
"""Independent check of one video-frame-extractor output (run by the benchmark runner).

usage: check.py INPUT OUTDIR STDOUT WIDTH EVERY

For the job `--width WIDTH --every EVERY --raw INPUT OUTDIR` (see README.md), checks that:
- OUTDIR holds exactly 001.png … NNN.png and frames.rgb, one PNG per timestamp 0, EVERY, … < the
  duration ffprobe reports, and no leftover .part file;
- every PNG is exactly WIDTH × H, H being what `scale=WIDTH:-2` gives for the input's size;
- frames.rgb is count·W·H·3 bytes and each PNG decodes (ffmpeg CLI) to exactly its slice of it;
- each PNG is within PSNR >= 40 dB (ffmpeg's psnr filter, average) of the ffmpeg CLI's reference
  `ffmpeg -ss T -i INPUT -frames:v 1 -vf scale=WIDTH:-2 ref.png`, which has the same size;
- STDOUT has one line `NNN.png t=T frame=F pts=P` per thumbnail, T the requested time, F >= T.
Exit 0 when all hold; otherwise print every problem found and exit 1.
"""
import os
import re
import struct
import subprocess
import sys
import tempfile

MIN_PSNR = 40.0
LINE = re.compile(r"^(\d{3,}\.png) t=(\d+\.\d{6}) frame=(\d+\.\d{6}) pts=(-?\d+)$")

problems = []


def problem(msg):
    problems.append(msg)
    print(f"check.py: {msg}", file=sys.stderr)


def micros(text):
    """Decimal seconds ("4.5", "60.000000") to integer microseconds, exactly."""
    whole, _, frac = text.strip().partition(".")
    return int(whole) * 1_000_000 + int((frac + "000000")[:6] or "0")


def fmt_micros(us):
    return f"{us // 1_000_000}.{us % 1_000_000:06d}"


def run(cmd):
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, check=False)


def probe(path):
    r = run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
             "stream=width,height:format=duration", "-of", "default=nw=1", path])
    if r.returncode != 0:
        sys.exit(f"check.py: ffprobe failed on {path}: {r.stderr.decode(errors='replace')}")
    info = dict(line.split("=", 1) for line in r.stdout.decode().split())
    return int(info["width"]), int(info["height"]), micros(info["duration"])


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def decode_rgb(path):
    r = run(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
    return r.stdout if r.returncode == 0 else None


def psnr(a, b):
    r = run(["ffmpeg", "-nostdin", "-hide_banner", "-i", a, "-i", b, "-lavfi", "psnr", "-f", "null", "-"])
    m = re.search(r"PSNR r:\S+ g:\S+ b:\S+ average:(inf|[0-9.]+)", r.stderr.decode(errors="replace"))
    if r.returncode != 0 or not m:
        return None
    return float("inf") if m.group(1) == "inf" else float(m.group(1))


def main():
    if len(sys.argv) != 6:
        sys.exit("usage: check.py INPUT OUTDIR STDOUT WIDTH EVERY")
    inp, outdir, stdout_path, width, every = sys.argv[1:]
    w = int(width)
    src_w, src_h, duration = probe(inp)
    h = (w * src_h + src_w) // (2 * src_w) * 2
    step = micros(every)
    times = list(range(0, duration, step))
    names = [f"{i + 1:03d}.png" for i in range(len(times))]

    present = sorted(os.listdir(outdir))
    expected = sorted(names + ["frames.rgb"])
    if present != expected:
        extra = sorted(set(present) - set(expected))
        missing = sorted(set(expected) - set(present))
        problem(f"{outdir}: unexpected files {extra}, missing {missing}")

    raw = b""
    raw_path = os.path.join(outdir, "frames.rgb")
    if os.path.exists(raw_path):
        raw = open(raw_path, "rb").read()
        if len(raw) != len(times) * w * h * 3:
            problem(f"frames.rgb is {len(raw)} bytes, expected {len(times)}·{w}·{h}·3 = {len(times) * w * h * 3}")

    with tempfile.TemporaryDirectory(prefix="vfe-check-") as tmp:
        for i, (t, name) in enumerate(zip(times, names)):
            path = os.path.join(outdir, name)
            if not os.path.exists(path):
                continue
            size = png_size(path)
            if size != (w, h):
                problem(f"{name}: size {size}, expected {(w, h)}")
                continue
            slice_ = raw[i * w * h * 3:(i + 1) * w * h * 3]
            if decode_rgb(path) != slice_:
                problem(f"{name}: does not decode to its slice of frames.rgb")
            ref = os.path.join(tmp, name)
            r = run(["ffmpeg", "-nostdin", "-loglevel", "error", "-ss", fmt_micros(t), "-i", inp,
                     "-frames:v", "1", "-vf", f"scale={w}:-2", ref])
            if r.returncode != 0 or not os.path.exists(ref):
                problem(f"{name}: the ffmpeg CLI made no reference for t={fmt_micros(t)}")
                continue
            if png_size(ref) != (w, h):
                problem(f"{name}: the reference is {png_size(ref)}, expected {(w, h)}")
            p = psnr(path, ref)
            if p is None or p < MIN_PSNR:
                problem(f"{name}: PSNR {p} dB against the ffmpeg CLI at t={fmt_micros(t)}, need >= {MIN_PSNR}")

    lines = open(stdout_path, encoding="utf-8", errors="replace").read().splitlines()
    if len(lines) != len(times):
        problem(f"stdout has {len(lines)} lines, expected {len(times)}")
    for line, t, name in zip(lines, times, names):
        m = LINE.match(line)
        if not m:
            problem(f"stdout line {line!r} is not `NNN.png t=T frame=F pts=P`")
        elif m.group(1) != name or micros(m.group(2)) != t or micros(m.group(3)) < t:
            problem(f"stdout line {line!r}: expected {name} t={fmt_micros(t)} frame >= t")

    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
