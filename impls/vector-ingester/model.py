#!/usr/bin/env python3
"""Executable model of impls/vector-ingester/README.md, in plain Python (standard library only).

It is slow (pure Python hashing) and reads whole documents into memory: it is a reference for the
golden files in testdata/ and for check.py, not an implementation to benchmark.

    python3 model.py testdata      # (re)writes testdata/{utf8,embed,expected-*}.txt and corpus.tar
"""
import io
import math
import os
import re
import struct
import sys
import tarfile

CHUNK_SIZE = 1024
OVERLAP = 128
DIMS = 384
BATCH = 1000
EMBEDDER = "fnv1a-hash-384/1"

FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
MASK64 = (1 << 64) - 1

SPACES = b"\t\n\v\f\r "
SPACE_SET = frozenset(SPACES)


# ----------------------------------------------------------------------------------- UTF-8 ---

def decode(data: bytes):
    """The document's text (valid UTF-8 bytes) and the number of U+FFFD inserted."""
    text = data.decode("utf-8", "replace")
    replaced = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    return text.encode("utf-8"), replaced


def decode_by_hand(data: bytes):
    """The spec's algorithm written out; must agree with decode() (checked by `model.py selftest`)."""
    out = bytearray()
    replaced = 0
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b < 0x80:
            out.append(b)
            i += 1
            continue
        if 0xC2 <= b <= 0xDF:
            need, lo, hi = 1, 0x80, 0xBF
        elif b == 0xE0:
            need, lo, hi = 2, 0xA0, 0xBF
        elif 0xE1 <= b <= 0xEC or 0xEE <= b <= 0xEF:
            need, lo, hi = 2, 0x80, 0xBF
        elif b == 0xED:
            need, lo, hi = 2, 0x80, 0x9F
        elif b == 0xF0:
            need, lo, hi = 3, 0x90, 0xBF
        elif 0xF1 <= b <= 0xF3:
            need, lo, hi = 3, 0x80, 0xBF
        elif b == 0xF4:
            need, lo, hi = 3, 0x80, 0x8F
        else:
            out += b"\xef\xbf\xbd"
            replaced += 1
            i += 1
            continue
        j, k = i + 1, 0
        while k < need and j < n:
            c = data[j]
            if not ((lo <= c <= hi) if k == 0 else (0x80 <= c <= 0xBF)):
                break
            j += 1
            k += 1
        if k == need:
            out += data[i:j]
        else:
            out += b"\xef\xbf\xbd"
            replaced += 1
        i = j
    return bytes(out), replaced


# -------------------------------------------------------------------------------- chunking ---

_SENTENCE = re.compile(rb"[.!?][\t-\r ]")
_WORD_START = re.compile(rb"[\t-\r ][^\t-\r ]")


def chunks(t: bytes, size: int = CHUNK_SIZE, overlap: int = OVERLAP):
    """[(start, end)] of the chunks of text t."""
    minimum = size // 2
    assert size >= 16 and 0 <= overlap < minimum
    out = []
    s, n = 0, len(t)
    while s < n:
        if n - s <= size:
            out.append((s, n))
            break
        lo_e, hi_e = s + minimum, s + size
        e = _best_end(t, lo_e, hi_e)
        out.append((s, e))
        lo = e - overlap
        m = _WORD_START.search(t, lo - 1, e)
        if m is not None:
            nxt = m.start() + 1
        else:
            nxt = lo
            while nxt < e and (t[nxt] & 0xC0) == 0x80:
                nxt += 1
        s = nxt
    return out


def _best_end(t, lo_e, hi_e):
    # 1. paragraph: "\n\n" or "\n\r\n" ending at e
    best = -1
    i = t.rfind(b"\n\n", lo_e - 2, hi_e)
    if i >= 0:
        best = i + 2
    i = t.rfind(b"\n\r\n", lo_e - 3, hi_e)
    if i >= 0:
        best = max(best, i + 3)
    if best >= 0:
        return best
    # 2. sentence or line
    i = t.rfind(b"\n", lo_e - 1, hi_e)
    if i >= 0:
        best = i + 1
    for m in _SENTENCE.finditer(t, lo_e - 2, hi_e):
        best = max(best, m.end())
    if best >= 0:
        return best
    # 3. word
    for e in range(hi_e, lo_e - 1, -1):
        if t[e - 1] in SPACE_SET:
            return e
    # 4. code point
    e = hi_e
    while (t[e] & 0xC0) == 0x80:
        e -= 1
    return e


# ------------------------------------------------------------------------------- embedding ---

def fnv1a64(data: bytes, h: int = FNV_OFFSET) -> int:
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & MASK64
    return h


_WORD = re.compile(rb"[0-9a-z\x80-\xff]+")
_LOWER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")
_H_W = fnv1a64(b"w")
_H_C = fnv1a64(b"c")


def counts(text: bytes, cache=None):
    """The 384 integer counts of a chunk's text (before normalisation)."""
    c = [0] * DIMS
    for m in _WORD.finditer(text.translate(_LOWER)):
        w = m.group()
        _add(c, fnv1a64(w, _H_W))
        cps = w.decode("utf-8")
        if len(cps) >= 3:
            for i in range(len(cps) - 2):
                g = cps[i:i + 3]
                if cache is not None:
                    h = cache.get(g)
                    if h is None:
                        h = cache[g] = fnv1a64(g.encode("utf-8"), _H_C)
                else:
                    h = fnv1a64(g.encode("utf-8"), _H_C)
                _add(c, h)
    return c


def _add(c, h):
    if (h >> 31) & 1:
        c[(h >> 32) % DIMS] -= 1
    else:
        c[(h >> 32) % DIMS] += 1


def normalise(c):
    sumsq = sum(x * x for x in c)
    if sumsq == 0:
        return [0.0] * DIMS
    norm = math.sqrt(sumsq)
    return [x / norm for x in c]


def blob(c) -> bytes:
    """The stored BLOB: 384 little-endian float32 (struct rounds float64 to nearest float32)."""
    return struct.pack("<%df" % DIMS, *normalise(c))


def embed(text: bytes, cache=None) -> bytes:
    return blob(counts(text, cache))


# ---------------------------------------------------------------------------------- corpus ---

def documents(corpus: str):
    """Yields (path, raw bytes) in the spec's order, for a directory or a tar archive."""
    if os.path.isdir(corpus):
        found = []
        for root, dirs, files in os.walk(corpus, followlinks=False):
            names = [f for f in files
                     if os.path.islink(os.path.join(root, f)) or os.path.isfile(os.path.join(root, f))]
            for d in list(dirs):
                if os.path.islink(os.path.join(root, d)):
                    names.append(d)  # a symlink to a directory is a document (that fails)
            for name in names:
                full = os.path.join(root, name)
                rel = os.path.relpath(full, corpus).replace(os.sep, "/")
                found.append(rel.encode("utf-8"))
        for rel in sorted(found):
            with open(os.path.join(corpus, rel.decode("utf-8")), "rb") as f:
                yield rel.decode("utf-8"), f.read()
    else:
        with tarfile.open(corpus, "r:") as tf:
            for m in tf:
                if m.type in (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.CONTTYPE):
                    f = tf.extractfile(m)
                    yield m.name, f.read()


def ingest(corpus, size=CHUNK_SIZE, overlap=OVERLAP, with_vectors=True):
    """Yields ('doc', row) and ('chunk', row) like the database would hold them."""
    chunk_id = 0
    cache = {}
    for doc_id, (path, data) in enumerate(documents(corpus), start=1):
        t, replaced = decode(data)
        spans = chunks(t, size, overlap)
        for seq, (s, e) in enumerate(spans):
            chunk_id += 1
            text = t[s:e]
            yield "chunk", (chunk_id, doc_id, seq, s, text, embed(text, cache) if with_vectors else None)
        yield "doc", (doc_id, path, len(data), len(t), len(spans), replaced)


def listing(corpus, size, overlap) -> str:
    """The expected-<size>-<overlap>.txt format (documents after their chunks)."""
    lines = []
    for kind, row in ingest(corpus, size, overlap):
        if kind == "chunk":
            cid, doc, seq, s, text, vec = row
            lines.append(f"chunk {cid} {doc} {seq} {s} {len(text)} {fnv1a64(text):016x} {fnv1a64(vec):016x}")
        else:
            doc, path, nbytes, tbytes, nchunks, replaced = row
            lines.append(f"doc {doc} {path} bytes={nbytes} text_bytes={tbytes} chunks={nchunks} replaced={replaced}")
    return "\n".join(lines) + "\n"


def summary(corpus) -> str:
    docs = empty = nchunks = nbytes = tbytes = repl = 0
    for kind, row in ingest(corpus, with_vectors=False):
        if kind == "doc":
            docs += 1
            empty += row[2] == 0
            nchunks += row[4]
            nbytes += row[2]
            tbytes += row[3]
            repl += row[5]
    return (f'{{"documents":{docs},"empty":{empty},"chunks":{nchunks},"bytes":{nbytes},'
            f'"text_bytes":{tbytes},"replaced":{repl}}}')


# ------------------------------------------------------------------------------- testdata ---

UTF8_CASES = [
    b"", b"plain ascii", "ไทย".encode(), b"\xef\xbb\xbfBOM kept", b"\x00nul\x00",
    b"\x80", b"\xbf\xbf", b"\xc0\xaf", b"\xc1\xbf", b"\xc2", b"\xc2A", b"\xc2\xa9",
    b"\xe0\x80\x80", b"\xe0\xa0", b"\xe0\xa0A", b"\xe0\xa0\x80", b"\xe1\x80", b"\xe1\x80\xc2\xa9",
    b"\xed\xa0\x80", b"\xed\x9f\xbf", b"\xee\x80\x80", b"\xef\xbf\xbd", b"\xef\xbf",
    b"\xf0\x80\x80\x80", b"\xf0\x90\x80", b"\xf0\x90\x80\x80", b"\xf0\x9f\x98\x80x",
    b"\xf1\x80\x80", b"\xf4\x8f\xbf\xbf", b"\xf4\x90\x80\x80", b"\xf5\x80", b"\xff\xfe",
    b"caf\xe9 cr\xe8me", "ก".encode()[:2] + "ข".encode(), b"a\xe0\xb8b\xe0\xb8\x81c",
    b"\xf0\x9f\x98", b"\xe2\x82\xac\xe2\x82", b"x\xc3\x28y", b"\xa0\xa1", b"\xf8\x88\x80\x80\x80",
]

EMBED_CASES = [
    "", "!!! ... ???", "a", "a a a", "Hello, World", "hello world", "HELLO WORLD",
    "The quick brown fox jumps over the lazy dog.", "ab", "abc", "abcd", "x1y2z3",
    "ภาษาไทย", "การจัดการหน่วยความจำ ของ ระบบฐานข้อมูล", "SQLite ฐานข้อมูล vector 384",
    "naïve café", "emoji 😀😀😀 ok", "tab\tsep\nnew-line_under_score", "\ufffd\ufffd\ufffd",
]


def hexs(b: bytes) -> str:
    return b.hex() if b else "-"


def write_testdata(folder: str):
    with open(os.path.join(folder, "utf8.txt"), "w") as f:
        f.write("# input-hex output-hex replaced   (\"-\" is empty; generated by model.py)\n")
        for case in UTF8_CASES:
            out, n = decode(case)
            assert (out, n) == decode_by_hand(case), case
            f.write(f"{hexs(case)} {hexs(out)} {n}\n")
    with open(os.path.join(folder, "embed.txt"), "w") as f:
        f.write("# text-hex fnv1a64-of-blob bucket:count,...   (generated by model.py)\n")
        for case in EMBED_CASES:
            t = case.encode("utf-8")
            c = counts(t)
            nz = ",".join(f"{i}:{x}" for i, x in enumerate(c) if x != 0) or "-"
            f.write(f"{hexs(t)} {fnv1a64(blob(c)):016x} {nz}\n")
    corpus = os.path.join(folder, "corpus")
    for size, overlap in ((CHUNK_SIZE, OVERLAP), (64, 16)):
        with open(os.path.join(folder, f"expected-{size}-{overlap}.txt"), "w") as f:
            f.write(listing(corpus, size, overlap))
    with open(os.path.join(folder, "expected-summary.txt"), "w") as f:
        f.write(summary(corpus) + "\n")
    # The same files as a ustar archive, entries in path order, fixed metadata.
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        for path, data in documents(corpus):
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mtime = 0
            info.mode = 0o644
            info.uname = info.gname = ""
            tf.addfile(info, io.BytesIO(data))
    with open(os.path.join(folder, "corpus.tar"), "wb") as f:
        f.write(buf.getvalue())
    assert listing(os.path.join(folder, "corpus.tar"), CHUNK_SIZE, OVERLAP) == listing(
        corpus, CHUNK_SIZE, OVERLAP)


def selftest():
    import random
    rnd = random.Random(1)
    alphabet = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF,
                0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF]
    for _ in range(200000):
        data = bytes(rnd.choice(alphabet) for _ in range(rnd.randint(0, 8)))
        assert decode(data) == decode_by_hand(data), data
    print("selftest: ok")


if __name__ == "__main__":
    if sys.argv[1:] == ["selftest"]:
        selftest()
    elif len(sys.argv) == 2:
        write_testdata(sys.argv[1])
    else:
        sys.exit(__doc__)
