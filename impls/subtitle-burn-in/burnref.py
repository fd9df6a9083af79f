"""Python model of the subtitle burn-in spec (README.md): subtitle parsing, layout, the class map
and the blend. Used by check.py to verify outputs independently of the three implementations, and
by testdata/make-testdata.py to produce the expected files of the unit tests.

Written for clarity first; the per-frame drawing is done with bytes.translate on runs of equal
class so that check.py can verify thousands of frames in pure Python.
"""
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))

# (Y, U, V) and alpha (of 256) per class: 1 box, 2 outline, 3 glyph.
COLOURS = {1: (16, 128, 128), 2: (16, 128, 128), 3: (210, 16, 146)}
ALPHA = {1: 160, 2: 256, 3: 256}


class SubtitleError(Exception):
    def __init__(self, line, msg):
        super().__init__(f"{line}: {msg}")
        self.line = line
        self.msg = msg


class Cue:
    def __init__(self, start, end, line, text):
        self.start = start
        self.end = end
        self.line = line  # timing line number
        self.text = text  # list of raw text lines


def load_font(path=os.path.join(HERE, "font.hex")):
    font = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            cp, rows = line.split(":")
            font[int(cp, 16)] = bytes.fromhex(rows)
    return font


# ---------------------------------------------------------------- parsing

def _blank(line):
    return line.strip(" \t") == ""


def _lines(data):
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise SubtitleError(data[: e.start].count(b"\n") + 1, "invalid UTF-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return text, [l[:-1] if l.endswith("\r") else l for l in lines]


def is_vtt(text):
    return text.startswith("WEBVTT") and (len(text) == 6 or text[6] in " \t\r\n")


_SRT_TS = re.compile(r"([0-9]{1,4}):([0-9]{2}):([0-9]{2})[,.]([0-9]{3})")
_VTT_TS = re.compile(r"(?:([0-9]{1,4}):)?([0-9]{2}):([0-9]{2})\.([0-9]{3})")


def _timestamp(field, vtt):
    m = (_VTT_TS if vtt else _SRT_TS).fullmatch(field)
    if not m:
        return None
    h = int(m.group(1) or 0)
    mi, s, ms = int(m.group(2)), int(m.group(3)), int(m.group(4))
    if mi > 59 or s > 59:
        return None
    return ((h * 60 + mi) * 60 + s) * 1000 + ms


def _timing(lines, idx, vtt):
    """Parses the timing line lines[idx] (idx may be past the end) → (start, end)."""
    line = lines[idx] if idx < len(lines) else ""
    fields = re.split(r"[ \t]+", line.strip(" \t"))
    if len(fields) >= 3 and fields[1] == "-->":
        start, end = _timestamp(fields[0], vtt), _timestamp(fields[2], vtt)
        if start is not None and end is not None:
            if end <= start:
                raise SubtitleError(idx + 1, "cue ends before it starts")
            return start, end
    raise SubtitleError(idx + 1, f'bad timing line "{line}"')


def parse(data):
    """bytes → (is_vtt, [Cue]); raises SubtitleError."""
    text, lines = _lines(data)
    vtt = is_vtt(text)
    cues = []
    n = len(lines)
    i = 0
    if vtt:
        while i < n and not _blank(lines[i]):
            i += 1
    while i < n:
        if _blank(lines[i]):
            i += 1
            continue
        first = lines[i]
        if vtt:
            if any(first == k or first.startswith(k + " ") or first.startswith(k + "\t")
                   for k in ("NOTE", "STYLE", "REGION")):
                while i < n and not _blank(lines[i]):
                    i += 1
                continue
            t = i if "-->" in first else i + 1
            if t != i and (t >= n or "-->" not in lines[t]):
                raise SubtitleError(t + 1, "expected a timing line after the cue identifier")
        else:
            num = first.strip(" \t")
            if not all("0" <= ch <= "9" for ch in num):
                raise SubtitleError(i + 1, f'expected a cue number, found "{first}"')
            t = i + 1
            if t >= n or _blank(lines[t]):
                raise SubtitleError(t + 1, f'bad timing line "{lines[t] if t < n else ""}"')
        start, end = _timing(lines, t, vtt)
        j = t + 1
        body = []
        while j < n and not _blank(lines[j]):
            body.append(lines[j])
            j += 1
        cues.append(Cue(start, end, t + 1, body))
        i = j
    return vtt, cues


_ENTITIES = [("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&nbsp;", "\u00a0"),
             ("&lrm;", ""), ("&rlm;", "")]


def cells(cue, vtt):
    """A cue's text lines → list of lines, each a list of (codepoint, bold, italic)."""
    bold = italic = False
    out = []
    for line in cue.text:
        cs = []
        pos = 0
        while pos < len(line):
            ch = line[pos]
            if ch == "<":
                close = line.find(">", pos + 1)
                if close >= 0:
                    tag = line[pos + 1:close].encode().lower()
                    if tag == b"b":
                        bold = True
                    elif tag == b"/b":
                        bold = False
                    elif tag == b"i":
                        italic = True
                    elif tag == b"/i":
                        italic = False
                    pos = close + 1
                    continue
            if vtt and ch == "&":
                for ent, rep in _ENTITIES:
                    if line.startswith(ent, pos):
                        for r in rep:
                            cs.append((ord(r), bold, italic))
                        pos += len(ent)
                        break
                else:
                    cs.append((ord(ch), bold, italic))
                    pos += 1
                continue
            if ch == "\t":
                ch = " "
            cs.append((ord(ch), bold, italic))
            pos += 1
        a, b = 0, len(cs)
        while a < b and cs[a][0] == 0x20:
            a += 1
        while b > a and cs[b - 1][0] == 0x20:
            b -= 1
        out.append(cs[a:b])
    return out


def dump(vtt, cues):
    """The canonical text dump of parsed cues used by the unit tests' .expected files."""
    out = []
    for c in cues:
        lines = cells(c, vtt)
        out.append(f"cue {c.start} {c.end} line {c.line} lines {len(lines)}")
        for cs in lines:
            s = "|"
            style = (False, False)
            for cp, b, it in cs:
                if (b, it) != style:
                    s += "{" + ("b" if b else "") + ("i" if it else "") + "}"
                    style = (b, it)
                s += "{{" if cp == ord("{") else chr(cp)
            out.append(s)
    return "\n".join(out) + ("\n" if out else "")


# ---------------------------------------------------------------- layout and class map

def scale(h):
    return max(1, h // 360)


def line_ink(font, cs):
    """Set of (r, c) font pixels with ink for one line of cells."""
    ink = set()
    fallback = font[0xFFFD]
    for k, (cp, bold, italic) in enumerate(cs):
        g = font.get(cp, fallback)
        for r in range(16):
            cols = {c for c in range(8) if g[r] & (0x80 >> c)}
            if bold:
                cols |= {c + 1 for c in cols}
            if italic:
                sh = (15 - r) >> 2
                cols = {c + sh for c in cols}
            for c in cols:
                ink.add((r, 8 * k + c))
    return ink


def outline(ink):
    out = set()
    for r, c in ink:
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                p = (r + dr, c + dc)
                if p not in ink:
                    out.add(p)
    return out


class ClassMap:
    """The box and the class of every luma pixel in it (bytes, row-major), or box None."""

    def __init__(self, font, block, w, h):
        self.box = None
        if not any(block):
            return
        s = scale(h)
        n = len(block)
        bh = (18 * n - 2) * s
        y0b = h - 24 * s - bh
        xs = [(w - 8 * s * len(cs)) >> 1 for cs in block]
        used = [i for i, cs in enumerate(block) if cs]
        x0 = min(xs[i] for i in used) - 6 * s
        x1 = max(xs[i] + 8 * s * len(block[i]) for i in used) + 6 * s
        y0 = y0b - 4 * s
        y1 = y0b + bh + 4 * s
        x0 &= ~1
        x1 = (x1 + 1) & ~1
        y0 &= ~1
        y1 = (y1 + 1) & ~1
        x0, x1 = max(0, x0), min(w, x1)
        y0, y1 = max(0, y0), min(h, y1)
        if x0 >= x1 or y0 >= y1:
            return
        self.box = (x0, y0, x1, y1)
        bw = x1 - x0
        m = bytearray([1]) * (bw * (y1 - y0))
        inks = [line_ink(font, cs) for cs in block]
        for cls, sets in ((2, [outline(k) for k in inks]), (3, inks)):
            for i, pix in enumerate(sets):
                yi = y0b + 18 * s * i
                for r, c in pix:
                    px, py = xs[i] + c * s, yi + r * s
                    for yy in range(max(py, y0), min(py + s, y1)):
                        a, b = max(px, x0), min(px + s, x1)
                        if a < b:
                            m[(yy - y0) * bw + a - x0:(yy - y0) * bw + b - x0] = bytes([cls]) * (b - a)
        self.map = bytes(m)


# ---------------------------------------------------------------- blending

def blend(s, c, a):
    return (s * (256 - a) + c * a + 128) >> 8


def _lut(plane, cls):
    return bytes(blend(s, COLOURS[cls][plane], ALPHA[cls]) for s in range(256))


_LUTS = {(p, c): _lut(p, c) for p in range(3) for c in (1, 2, 3)}
_CHROMA_LUTS = {}


def _chroma_lut(plane, combo):
    key = (plane, combo)
    lut = _CHROMA_LUTS.get(key)
    if lut is None:
        ls = [_LUTS[(plane, c)] for c in combo]
        lut = bytes((ls[0][s] + ls[1][s] + ls[2][s] + ls[3][s] + 2) >> 2 for s in range(256))
        _CHROMA_LUTS[key] = lut
    return lut


def _runs(keys):
    runs = []
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            runs.append((start, i, keys[start]))
            start = i
    return runs


class Plan:
    """Per-row runs of equal class (luma) / class combination (chroma) for a ClassMap."""

    def __init__(self, cm):
        self.box = cm.box
        if cm.box is None:
            return
        x0, y0, x1, y1 = cm.box
        bw = x1 - x0
        rows = [cm.map[i * bw:(i + 1) * bw] for i in range(y1 - y0)]
        self.luma = [_runs(r) for r in rows]
        self.chroma = []
        for v in range(0, y1 - y0, 2):
            a, b = rows[v], rows[v + 1]
            combos = [tuple(sorted((a[2 * u], a[2 * u + 1], b[2 * u], b[2 * u + 1])))
                      for u in range(bw // 2)]
            self.chroma.append(_runs(combos))

    def draw(self, frame, w, h):
        """Draws onto a yuv420p frame (bytearray) in place."""
        if self.box is None:
            return
        x0, y0, x1, y1 = self.box
        cw = w // 2
        for i, runs in enumerate(self.luma):
            off = (y0 + i) * w + x0
            for a, b, cls in runs:
                frame[off + a:off + b] = bytes(frame[off + a:off + b]).translate(_LUTS[(0, cls)])
        for plane, base in ((1, w * h), (2, w * h + cw * (h // 2))):
            for i, runs in enumerate(self.chroma):
                off = base + (y0 // 2 + i) * cw + x0 // 2
                for a, b, combo in runs:
                    frame[off + a:off + b] = bytes(frame[off + a:off + b]).translate(
                        _chroma_lut(plane, combo))


def active_block(vtt, cues, t, cache):
    """Text block (list of cell lines) of the cues active at t ms, and the active indices."""
    act = tuple(i for i, c in enumerate(cues) if c.start <= t < c.end)
    block = []
    for i in act:
        if i not in cache:
            cache[i] = cells(cues[i], vtt)
        block.extend(cache[i])
    return act, block
