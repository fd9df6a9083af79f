#!/usr/bin/env python3
"""Independent check of one subtitle-burn-in output (run by the benchmark runner per language).

usage: check.py SOURCE SUBTITLES OUTPUT.mp4 STDOUT

Uses only the ffmpeg/ffprobe CLI and burnref.py (this folder's Python model of the spec):
- OUTPUT has one H.264 video stream of the source's size and frame count, and the source's audio
  packets byte for byte (framemd5 of `-c copy`, sizes and hashes in order);
- every decoded output frame equals the source's decoded frame with the active cues drawn by
  burnref.py: frames outside every cue are identical to the source (lossless encoding), frames
  inside a cue differ only inside the box, and there exactly as the spec says;
- the summary line on STDOUT agrees (frames, frames with text, cues, audio packets).
Exit 0 when all hold; otherwise print the first problem and exit 1.
"""
import json
import os
import subprocess
import sys
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import burnref  # noqa: E402


def fail(msg):
    print(f"check.py: {msg}", file=sys.stderr)
    sys.exit(1)


def probe(path):
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries",
         "stream=index,codec_type,codec_name,width,height,pix_fmt,nb_frames,time_base",
         "-of", "json", path], capture_output=True, check=True).stdout
    return json.loads(out)["streams"]


def audio_packets(path, streams):
    if not any(s["codec_type"] == "audio" for s in streams):
        return []
    r = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-map", "0:a:0", "-c", "copy",
                        "-f", "framemd5", "-"], capture_output=True, check=True)
    rows = []
    for line in r.stdout.decode().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        f = [x.strip() for x in line.split(",")]
        rows.append((f[4], f[5]))
    return rows


def video_pts(path):
    r = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                        "packet=pts", "-of", "csv=p=0", path], capture_output=True, check=True)
    return sorted(int(x) for x in r.stdout.decode().split())


def decoder(path):
    return subprocess.Popen(
        ["ffmpeg", "-v", "error", "-nostdin", "-threads", "1", "-i", path, "-map", "0:v:0",
         "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"],
        stdout=subprocess.PIPE, bufsize=0)


def read_frame(pipe, size):
    buf = bytearray(size)
    view = memoryview(buf)
    got = 0
    while got < size:
        n = pipe.readinto(view[got:])
        if not n:
            return None if got == 0 else fail("decoder output ended inside a frame")
        got += n
    return buf


def where(w, h, off):
    ysz = w * h
    if off < ysz:
        return f"Y plane x={off % w} y={off // w}"
    off -= ysz
    cw = w // 2
    plane = "U" if off < cw * (h // 2) else "V"
    off %= cw * (h // 2)
    return f"{plane} plane x={off % cw} y={off // cw} (luma {2 * (off % cw)},{2 * (off // cw)})"


def main():
    if len(sys.argv) != 5:
        fail("usage: check.py SOURCE SUBTITLES OUTPUT.mp4 STDOUT")
    src, subs, out, stdout = sys.argv[1:]
    if not os.path.exists(out):
        fail(f"{out} is missing")
    try:
        vtt, cues = burnref.parse(open(subs, "rb").read())
    except burnref.SubtitleError as e:
        fail(f"{subs}:{e}")

    sstreams, ostreams = probe(src), probe(out)
    sv = next(s for s in sstreams if s["codec_type"] == "video")
    ov = [s for s in ostreams if s["codec_type"] == "video"]
    if len(ov) != 1 or ov[0]["codec_name"] != "h264":
        fail(f"output must have exactly one H.264 video stream, has {ostreams}")
    ov = ov[0]
    w, h = sv["width"], sv["height"]
    if (ov["width"], ov["height"]) != (w, h):
        fail(f"output is {ov['width']}x{ov['height']}, source {w}x{h}")
    if ov.get("nb_frames") != sv.get("nb_frames"):
        fail(f"output has {ov.get('nb_frames')} frames, source {sv.get('nb_frames')}")

    sa = audio_packets(src, sstreams)
    oa = audio_packets(out, ostreams)
    if sa != oa:
        fail(f"audio packets differ from the source's ({len(oa)} vs {len(sa)} packets)")

    tb = Fraction(sv["time_base"])
    times = [(p * 1000 * tb.numerator) // tb.denominator for p in video_pts(src)]

    font = burnref.load_font()
    size = w * h * 3 // 2
    ds, do = decoder(src), decoder(out)
    plans = {}
    cells = {}
    frames = with_text = 0
    try:
        while True:
            a = read_frame(ds.stdout, size)
            b = read_frame(do.stdout, size)
            if a is None or b is None:
                if a is not None or b is not None:
                    fail(f"frame count differs after {frames} frames")
                break
            if frames >= len(times):
                fail(f"more decoded frames than packets ({len(times)})")
            t = times[frames]
            act, block = burnref.active_block(vtt, cues, t, cells)
            plan = None
            if act:
                plan = plans.get(act)
                if plan is None:
                    plan = plans[act] = burnref.Plan(burnref.ClassMap(font, block, w, h))
                if plan.box is None:
                    plan = None
            if plan is not None:
                with_text += 1
                plan.draw(a, w, h)
            if a != b:
                off = next(i for i in range(size) if a[i] != b[i])
                kind = f"inside cue text box {plan.box}" if plan else "outside every cue"
                fail(f"frame {frames} (t={t} ms, {kind}) differs from the expected frame at "
                     f"{where(w, h, off)}: expected {a[off]}, got {b[off]}")
            frames += 1
    finally:
        for p in (ds, do):
            p.stdout.close()
            p.wait()
    if frames != len(times):
        fail(f"decoded {frames} frames, the source has {len(times)} packets")
    if with_text == 0:
        fail("no frame had text: the subtitle file does not overlap the video")

    lines = [l for l in open(stdout, "rb").read().decode().splitlines() if l.strip()]
    if len(lines) != 1:
        fail(f"stdout must hold exactly one line, found {len(lines)}")
    want = {"frames": frames, "frames_with_text": with_text, "cues": len(cues),
            "audio_packets": len(sa)}
    got = json.loads(lines[0])
    if list(got) != list(want) or got != want:
        fail(f"summary {lines[0]} differs from {json.dumps(want, separators=(',', ':'))}")
    print(f"check.py: {frames} frames ({with_text} with text) match the source and the spec; "
          f"{len(sa)} audio packets copied")


if __name__ == "__main__":
    main()
