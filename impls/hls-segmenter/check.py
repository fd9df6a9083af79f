#!/usr/bin/env python3
"""Verify one hls-segmenter output folder (see README.md, "Verification").

usage: check.py INPUT OUTDIR TARGET_SECONDS

Exit status 0 when the output is correct; otherwise 1 with the reasons on stderr.
Needs ffprobe and ffmpeg on PATH.
"""
import hashlib
import json
import os
import re
import subprocess
import sys
from fractions import Fraction

PLAYLIST = "index.m3u8"


class CheckError(Exception):
    pass


def run(cmd, binary=False):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise CheckError(f"{' '.join(cmd[:6])} … failed ({p.returncode}): {p.stderr.decode(errors='replace')[-500:]}")
    return p.stdout if binary else p.stdout.decode()


def probe(url, *args):
    return json.loads(run(["ffprobe", "-v", "error", "-of", "json", *args, url]))


def rescale_us(a, tb):
    """av_rescale_q(a, tb, 1/1000000): round half away from zero."""
    n = a * tb.numerator * 1_000_000
    q, r = divmod(abs(n), tb.denominator)
    if 2 * r >= tb.denominator:
        q += 1
    return q if n >= 0 else -q


def fmt_us(us):
    return f"{us // 1_000_000}.{us % 1_000_000:06d}"


def expected_cuts(packets, tb, target):
    """Return (durations in µs, video packet count per segment) by the spec's cut rule."""
    if not packets:
        raise CheckError("input has no video packets")
    pts0 = packets[0]["pts"]
    cuts, counts, end = [pts0], [0], pts0
    for i, p in enumerate(packets):
        pts = p["pts"]
        if i > 0 and p["key"] and Fraction(pts - pts0) * tb >= (len(cuts)) * target:
            cuts.append(pts)
            counts.append(0)
        counts[-1] += 1
        end = max(end, pts + p["duration"])
    bounds = cuts + [end]
    return [rescale_us(bounds[k + 1] - bounds[k], tb) for k in range(len(cuts))], counts


def parse_playlist(text):
    lines = text.split("\n")
    if lines[-1] != "":
        raise CheckError("playlist does not end with a newline")
    lines = lines[:-1]
    head = ["#EXTM3U", "#EXT-X-VERSION:3", None, "#EXT-X-MEDIA-SEQUENCE:0", "#EXT-X-PLAYLIST-TYPE:VOD"]
    if len(lines) < 8:
        raise CheckError(f"playlist too short ({len(lines)} lines)")
    for i, want in enumerate(head):
        if want is not None and lines[i] != want:
            raise CheckError(f"playlist line {i + 1}: {lines[i]!r}, expected {want!r}")
    m = re.fullmatch(r"#EXT-X-TARGETDURATION:([1-9][0-9]*)", lines[2])
    if not m:
        raise CheckError(f"playlist line 3: {lines[2]!r} is not #EXT-X-TARGETDURATION:<n>")
    target_duration = int(m.group(1))
    if lines[-1] != "#EXT-X-ENDLIST":
        raise CheckError("playlist does not end with #EXT-X-ENDLIST")
    body = lines[5:-1]
    if len(body) % 2:
        raise CheckError("playlist body is not #EXTINF/URI pairs")
    durations, names = [], []
    for k in range(0, len(body), 2):
        m = re.fullmatch(r"#EXTINF:([0-9]+)\.([0-9]{6}),", body[k])
        if not m:
            raise CheckError(f"playlist line {k + 6}: {body[k]!r} is not #EXTINF:<s.uuuuuu>,")
        durations.append(int(m.group(1)) * 1_000_000 + int(m.group(2)))
        names.append(body[k + 1])
    return target_duration, durations, names


def split_avcc(data):
    nals, i = [], 0
    while i < len(data):
        if i + 4 > len(data):
            raise CheckError("AVCC packet: truncated length prefix")
        n = int.from_bytes(data[i:i + 4], "big")
        i += 4
        if n == 0 or i + n > len(data):
            raise CheckError("AVCC packet: bad NAL length (length size is not 4?)")
        nals.append(data[i:i + n])
        i += n
    return nals


def split_annexb(data):
    starts = []
    i = data.find(b"\x00\x00\x01")
    if i != 0 and data[:i].strip(b"\x00"):
        raise CheckError("Annex B packet does not start with a start code")
    while i >= 0:
        starts.append(i + 3)
        i = data.find(b"\x00\x00\x01", i + 3)
    return [data[s:(starts[j + 1] - 3 if j + 1 < len(starts) else len(data))] for j, s in enumerate(starts)]


def video_digest(nals):
    h = hashlib.sha256()
    for nal in nals:
        nal = nal.rstrip(b"\x00")
        if not nal or nal[0] & 0x1F in (7, 8, 9):  # SPS, PPS, access unit delimiter
            continue
        h.update(len(nal).to_bytes(4, "big"))
        h.update(nal)
    return h.hexdigest()


def adts_strip(frame):
    if len(frame) < 7 or frame[0] != 0xFF or frame[1] & 0xF6 != 0xF0:
        raise CheckError("TS audio packet does not start with an ADTS header")
    return frame[7 if frame[1] & 1 else 9:]


def packets_of(url, selector):
    """Payloads and key flags of the packets of one stream, in demux order."""
    info = probe(url, "-select_streams", selector, "-show_entries", "packet=size,flags")
    sizes = [int(p["size"]) for p in info["packets"]]
    keys = ["K" in p["flags"] for p in info["packets"]]
    data = run(["ffmpeg", "-nostdin", "-v", "error", "-i", url, "-map", "0:" + selector,
                "-c", "copy", "-f", "data", "-"], binary=True)
    if sum(sizes) != len(data):
        raise CheckError(f"{selector}: packet sizes ({sum(sizes)}) do not add up to the payload bytes ({len(data)})")
    out, off = [], 0
    for s in sizes:
        out.append(data[off:off + s])
        off += s
    return out, keys


def check(inp, outdir, target):
    # 1. files
    files = sorted(os.listdir(outdir))
    if PLAYLIST not in files:
        raise CheckError(f"{PLAYLIST} missing")
    with open(os.path.join(outdir, PLAYLIST), "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise CheckError("playlist is not ASCII")
    target_duration, durations, names = parse_playlist(text)
    want_names = [f"seg{k:05d}.ts" for k in range(len(names))]
    if names != want_names:
        raise CheckError(f"segment names {names[:3]}…, expected {want_names[:3]}…")
    if files != sorted(names + [PLAYLIST]):
        extra = sorted(set(files) - set(names) - {PLAYLIST})
        missing = sorted(set(names) - set(files))
        raise CheckError(f"output folder: extra files {extra}, missing segments {missing}")

    # 2. playlist against the input's duration
    info = probe(inp, "-show_entries", "format=duration:stream=index,codec_type,time_base,avg_frame_rate")
    video = [s for s in info["streams"] if s["codec_type"] == "video"]
    if not video:
        raise CheckError("input has no video stream")
    vs = video[0]
    frame = 1 / Fraction(vs["avg_frame_rate"])
    in_dur = Fraction(info["format"]["duration"])
    total = Fraction(sum(durations), 1_000_000)
    if abs(total - in_dur) > frame:
        raise CheckError(f"EXTINF sum {float(total):.6f} s differs from the input duration {float(in_dur):.6f} s by more than one frame ({float(frame):.6f} s)")
    want_td = (max(durations) + 999_999) // 1_000_000
    if target_duration != want_td:
        raise CheckError(f"#EXT-X-TARGETDURATION:{target_duration}, expected ceil(max EXTINF) = {want_td}")

    # 3. cut rule
    num, den = vs["time_base"].split("/")
    tb = Fraction(int(num), int(den))
    vp = probe(inp, "-select_streams", "v:0", "-show_entries", "packet=pts,duration,flags")["packets"]
    vpk = [{"pts": int(p["pts"]), "duration": int(p.get("duration", 0)), "key": "K" in p["flags"]} for p in vp]
    want_durs, want_counts = expected_cuts(vpk, tb, target)
    if durations != want_durs:
        k = next((i for i, (a, b) in enumerate(zip(durations, want_durs)) if a != b), min(len(durations), len(want_durs)))
        raise CheckError(f"{len(durations)} segments, expected {len(want_durs)} by the cut rule; first difference at segment {k}: "
                         f"{fmt_us(durations[k]) if k < len(durations) else '-'} vs {fmt_us(want_durs[k]) if k < len(want_durs) else '-'}")

    # 4. every segment: starts with a keyframe, decodes, holds the expected video packets
    for k, name in enumerate(names):
        path = os.path.join(outdir, name)
        p = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-of", "json", "-show_entries",
                            "packet=stream_index,flags:stream=index,codec_type,nb_read_frames,nb_read_packets", path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode != 0 or p.stderr.strip():
            raise CheckError(f"{name}: ffprobe reported errors: {p.stderr.decode(errors='replace')[-300:]}")
        seg = json.loads(p.stdout)
        sv = [s for s in seg["streams"] if s["codec_type"] == "video"]
        if not sv:
            raise CheckError(f"{name}: no video stream")
        vidx = sv[0]["index"]
        vflags = [q["flags"] for q in seg["packets"] if q["stream_index"] == vidx]
        if not vflags or "K" not in vflags[0]:
            raise CheckError(f"{name}: first video packet is not a keyframe")
        frames, pkts = int(sv[0]["nb_read_frames"]), int(sv[0]["nb_read_packets"])
        if pkts != want_counts[k] or frames != pkts:
            raise CheckError(f"{name}: {pkts} video packets, {frames} decoded frames; expected {want_counts[k]} of each")

    # 5. the concatenated segments carry the input's packets
    concat = "concat:" + "|".join(os.path.join(outdir, n) for n in names)
    in_v, in_vk = packets_of(inp, "v:0")
    ts_v, ts_vk = packets_of(concat, "v:0")
    if len(in_v) != len(ts_v):
        raise CheckError(f"video packets: input {len(in_v)}, segments {len(ts_v)}")
    if in_vk != ts_vk:
        raise CheckError("video key flags differ between input and segments")
    for i, (a, b) in enumerate(zip(in_v, ts_v)):
        if video_digest(split_avcc(a)) != video_digest(split_annexb(b)):
            raise CheckError(f"video packet {i}: payload differs from the input's")
    n_audio = 0
    if any(s["codec_type"] == "audio" for s in info["streams"]):
        in_a, _ = packets_of(inp, "a:0")
        ts_a, _ = packets_of(concat, "a:0")
        if len(in_a) != len(ts_a):
            raise CheckError(f"audio packets: input {len(in_a)}, segments {len(ts_a)}")
        for i, (a, b) in enumerate(zip(in_a, ts_a)):
            if hashlib.sha256(a).digest() != hashlib.sha256(adts_strip(b)).digest():
                raise CheckError(f"audio packet {i}: payload differs from the input's")
        n_audio = len(in_a)
    return len(names), float(total), len(in_v), n_audio


def main():
    if len(sys.argv) != 4:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        sys.exit(2)
    inp, outdir, target = sys.argv[1], sys.argv[2], int(sys.argv[3])
    try:
        segs, total, nv, na = check(inp, outdir, target)
    except CheckError as e:
        print(f"check.py: {outdir}: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {segs} segments, {total:.6f} s, {nv} video and {na} audio packets identical to the input")


if __name__ == "__main__":
    main()
