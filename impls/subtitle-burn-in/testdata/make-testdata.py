#!/usr/bin/env python3
"""Writes the shared unit-test data of the subtitle burn-in engine (run from anywhere).

- cases.srt / cases.vtt and their .expected parse dumps (burnref.dump);
- bad/*.srt|vtt and bad/expected.txt (file, error line, start of the message);
- blend.expected: `s c a result` rows of the blend formula;
- draw.srt and draw.expected: the text of draw.srt drawn on a 66x64 frame whose planes hold
  Y = (7x + 13y) & 255, U = (5x + 3y + 64) & 255, V = (11x + 2y + 32) & 255 (x, y in each plane's
  own coordinates, all cues of draw.srt active); one hex line per row, Y rows then U then V;
- tiny.mp4 / tiny-faststart.mp4 (only with --video: x264 output may change between versions, so
  the committed files are normally kept) and tiny.srt, tiny-late.srt.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import burnref  # noqa: E402

CASES_SRT = (
    "\ufeff1\r\n00:00:01,000 --> 00:00:02,500\r\nHello, world!\r\n\r\n"
    "2\n00:00:03,000 --> 00:00:04,000 X1:100 X2:200 Y1:10 Y2:50\nTwo lines,\n  <i>the second  </i>  \n"
    "\n \t\n"
    "  3  \n00:00:05.500\t-->   00:00:07,250\n"
    "<B>Bold</B> and <i>italic <b>both</b></i>\n"
    "carry <i>over\nlines</i> done\n"
    '<u>under</u> <font color="#ff0000">red</font> a<b  and 1 < 2 > 0 and <>\n'
    "\n"
    "4\n1:02:03,004 --> 12:34:56,789\n"
    "Tom & Jerry &amp; &lt;no entities in SRT&gt;\n"
    "Caf\u00e9 \u00c0\u00c9\u00ce\u00d5\u00dc \u00e7\u00f1\u00df \u00bf\u00a1 \u00ab\u00bb \u00d7 \u00f7 "
    "\u20ac \u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\ttab\n"
    "\n"
    "5\n00:00:10,000 --> 00:00:11,000\n"
    "\n"
    "6\n00:00:10,500 --> 00:00:12,000\n{braces} overlapping < unclosed"
)

CASES_VTT = (
    "WEBVTT Kind: test\nLanguage: en\n\n"
    "NOTE a comment\nspanning lines\n\n"
    "STYLE\n::cue { color: yellow }\n\n"
    "REGION\nid:fred\n\n"
    "intro\n00:01.000 --> 00:02.000 align:start line:0\n"
    "Hello &amp; goodbye &lt;3 &gt; &quot;q&quot; &nbsp;x&nbsp; &lrm;y&rlm; &copy; &amp\n"
    "<v Bob>Speaker tag</v> <c.yellow>class</c> <00:01.500>timestamp <ruby>r<rt>t</rt></ruby>\n"
    "\n"
    "00:00:03.000 --> 00:00:04.500\n<b>multi\nline</b> <I>caps tag</I>\n"
    "\n"
    "42\n01:00:00.000 --> 01:00:01.000\nNOTE this is text, not a note\n"
    "\n\n\n"
    "00:02:00.000 --> 00:02:00.001\r\n</b>   only close tags   <b>\r\n"
    "\n"
    "9999:00:00.000\t-->\t9999:00:01.000\n&lt;b&gt;not a tag&lt;/b&gt;\n"
)

BAD = [
    ("bad-number.srt", "1\n00:00:01,000 --> 00:00:02,000\nok\n\nx2\n00:00:03,000 --> 00:00:04,000\nno\n",
     5, "expected a cue number"),
    ("bad-arrow.srt", "1\n00:00:01,000 -> 00:00:02,000\nok\n", 2, "bad timing line"),
    ("bad-minutes.srt", "1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:60:00,000 --> 01:00:00,000\nno\n",
     6, "bad timing line"),
    ("end-before-start.srt", "1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:05,000 --> 00:00:04,000\nno\n",
     6, "cue ends before it starts"),
    ("equal-times.srt", "1\n00:00:01,000 --> 00:00:01,000\nno\n", 2, "cue ends before it starts"),
    ("missing-timing.srt", "1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n", 6, "bad timing line"),
    ("number-then-blank.srt", "1\n\n00:00:01,000 --> 00:00:02,000\nok\n", 2, "bad timing line"),
    ("short-millis.srt", "1\n00:00:01,00 --> 00:00:02,000\nok\n", 2, "bad timing line"),
    ("blank-inside-text.srt", "1\n00:00:01,000 --> 00:00:02,000\nfirst\n\nsecond paragraph\n",
     5, "expected a cue number"),
    ("invalid-utf8.srt", b"1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:03,000 --> 00:00:04,000\nbad \xff byte\n",
     7, "invalid UTF-8"),
    ("bad-timing.vtt", "WEBVTT\n\n00:01,000 --> 00:02.000\ntext\n", 3, "bad timing line"),
    ("missing-timing.vtt", "WEBVTT\n\nid\ntext without timing\n", 4, "expected a timing line"),
    ("end-before-start.vtt", "WEBVTT\n\n00:02.000 --> 00:01.000\ntext\n", 3, "cue ends before it starts"),
    ("hours-5-digits.vtt", "WEBVTT\n\n12345:00:00.000 --> 12345:00:01.000\ntext\n", 3, "bad timing line"),
    ("no-arrow-fields.vtt", "WEBVTT\n\n00:00:01.000 -->\ntext\n", 3, "bad timing line"),
]

DRAW_SRT = "1\n00:00:00,000 --> 00:00:01,000\n<b>Hi</b> <i>\u00e9</i>\n\n2\n00:00:00,000 --> 00:00:01,000\nAb\u2014\n"
TINY_SRT = "1\n00:00:00,100 --> 00:00:00,250\nHi <b>there</b>\n<i>tiny</i>\n"
TINY_LATE_SRT = "1\n00:00:00,100 --> 00:00:00,250\nok\n\n2\n00:00:05,000 --> 00:00:06,000\npast the end\n"

DRAW_W, DRAW_H = 66, 64


def write(path, data):
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def draw_frame():
    w, h = DRAW_W, DRAW_H
    y = bytes((7 * x + 13 * r) & 255 for r in range(h) for x in range(w))
    u = bytes((5 * x + 3 * r + 64) & 255 for r in range(h // 2) for x in range(w // 2))
    v = bytes((11 * x + 2 * r + 32) & 255 for r in range(h // 2) for x in range(w // 2))
    return bytearray(y + u + v)


def main():
    for name, text in [("cases.srt", CASES_SRT), ("cases.vtt", CASES_VTT)]:
        write(os.path.join(HERE, name), text)
        vtt, cues = burnref.parse(text.encode())
        write(os.path.join(HERE, name + ".expected"), burnref.dump(vtt, cues))

    os.makedirs(os.path.join(HERE, "bad"), exist_ok=True)
    rows = []
    for name, text, line, msg in BAD:
        write(os.path.join(HERE, "bad", name), text)
        try:
            burnref.parse(text if isinstance(text, bytes) else text.encode())
            raise SystemExit(f"{name}: no error")
        except burnref.SubtitleError as e:
            if e.line != line or not e.msg.startswith(msg):
                raise SystemExit(f"{name}: got {e.line}: {e.msg}, want {line}: {msg}")
        rows.append(f"{name} {line} {msg}")
    write(os.path.join(HERE, "bad", "expected.txt"), "\n".join(rows) + "\n")

    rows = []
    for s in (0, 1, 15, 16, 127, 128, 200, 254, 255):
        for c in (16, 128, 146, 210, 235):
            for a in (0, 1, 128, 160, 255, 256):
                rows.append(f"{s} {c} {a} {burnref.blend(s, c, a)}")
    write(os.path.join(HERE, "blend.expected"), "\n".join(rows) + "\n")

    write(os.path.join(HERE, "draw.srt"), DRAW_SRT)
    vtt, cues = burnref.parse(DRAW_SRT.encode())
    block = []
    for c in cues:
        block.extend(burnref.cells(c, vtt))
    frame = draw_frame()
    burnref.Plan(burnref.ClassMap(burnref.load_font(), block, DRAW_W, DRAW_H)).draw(frame, DRAW_W, DRAW_H)
    rows = []
    off = 0
    for width, count in ((DRAW_W, DRAW_H), (DRAW_W // 2, DRAW_H // 2), (DRAW_W // 2, DRAW_H // 2)):
        for _ in range(count):
            rows.append(frame[off:off + width].hex())
            off += width
    write(os.path.join(HERE, "draw.expected"), "\n".join(rows) + "\n")

    write(os.path.join(HERE, "tiny.srt"), TINY_SRT)
    write(os.path.join(HERE, "tiny-late.srt"), TINY_LATE_SRT)
    if "--video" in sys.argv:
        tiny = os.path.join(HERE, "tiny.mp4")
        subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                        "testsrc2=size=160x96:rate=30:duration=0.4", "-f", "lavfi", "-i",
                        "sine=frequency=440:sample_rate=48000:duration=0.4", "-c:v", "libx264",
                        "-preset", "veryfast", "-g", "60", "-pix_fmt", "yuv420p", "-threads", "1",
                        "-c:a", "aac", "-b:a", "64k", "-shortest", "-f", "mp4", "-y", tiny], check=True)
        subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-i", tiny, "-c", "copy",
                        "-movflags", "+faststart", "-y", os.path.join(HERE, "tiny-faststart.mp4")], check=True)


if __name__ == "__main__":
    main()
