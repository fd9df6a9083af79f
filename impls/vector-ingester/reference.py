#!/usr/bin/env python3
"""vector-ingester in a short Python script: the reference row (what a user would otherwise write).

    python3 reference.py <corpus-dir-or-tar> <database>

Standard library only (sqlite3, re, struct, functools). Same rows as the spec (README.md): the
same chunks, bit-identical vectors, the same summary line. Unlike the implementations it reads each
document whole (its memory grows with the largest document), and it caches the feature slots of a
word (functools.lru_cache), so a word seen before is not hashed again.
"""
import math
import operator
import os
import re
import sqlite3
import struct
import sys
import tarfile
from functools import lru_cache
from itertools import chain

CHUNK_SIZE, OVERLAP, DIMS, BATCH = 1024, 128, 384, 1000
EMBEDDER = "fnv1a-hash-384/1"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (id INTEGER PRIMARY KEY, path TEXT NOT NULL,
    bytes INTEGER NOT NULL, text_bytes INTEGER NOT NULL, chunks INTEGER NOT NULL,
    replaced INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL,
    seq INTEGER NOT NULL, start INTEGER NOT NULL, text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vectors (chunk_id INTEGER PRIMARY KEY, embedding BLOB NOT NULL);
"""


# --- documents: (path, bytes) in the spec's order -----------------------------------------------

def documents(corpus):
    if not os.path.isdir(corpus):
        with tarfile.open(corpus, "r:") as tar:
            for m in tar:
                if m.type in (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.CONTTYPE):
                    yield m.name, tar.extractfile(m).read()
        return
    paths = []

    def walk(folder, prefix):
        for e in os.scandir(folder):
            rel = prefix + e.name
            if e.is_dir(follow_symlinks=False):
                walk(e.path, rel + "/")
            elif e.is_file(follow_symlinks=False) or e.is_symlink():
                paths.append(rel.encode())

    walk(corpus, "")
    for rel in sorted(paths):  # byte order of the whole relative path
        with open(os.path.join(corpus, rel.decode()), "rb") as f:
            yield rel.decode(), f.read()


# --- chunking (byte offsets in the UTF-8 text) --------------------------------------------------

SENTENCE = re.compile(rb"[.!?][\t-\r ]")
WORD_START = re.compile(rb"[\t-\r ][^\t-\r ]")
SPACE = re.compile(rb"[\t-\r ]")


def best_end(t, lo, hi):
    """The end of a chunk in [lo, hi]: paragraph, else sentence or line, else word, else code point."""
    e = max(t.rfind(b"\n\n", lo - 2, hi) + 2, t.rfind(b"\n\r\n", lo - 3, hi) + 3)
    if e >= lo:
        return e
    e = t.rfind(b"\n", lo - 1, hi) + 1
    for m in SENTENCE.finditer(t, lo - 2, hi):
        e = max(e, m.end())
    if e >= lo:
        return e
    for m in SPACE.finditer(t, lo - 1, hi):
        e = m.end()
    if e >= lo:
        return e
    e = hi
    while t[e] & 0xC0 == 0x80:
        e -= 1
    return e


def chunks(t):
    s, n = 0, len(t)
    while s < n:
        if n - s <= CHUNK_SIZE:
            yield s, n
            return
        e = best_end(t, s + CHUNK_SIZE // 2, s + CHUNK_SIZE)
        yield s, e
        m = WORD_START.search(t, e - OVERLAP - 1, e)
        if m:
            s = m.start() + 1
        else:
            s = e - OVERLAP
            while s < e and t[s] & 0xC0 == 0x80:
                s += 1


# --- embedding: fnv1a-hash-384/1 -----------------------------------------------------------------

WORDS = re.compile(r"[0-9a-z\x80-\U0010FFFF]+")  # in lower-cased text; every non-ASCII code point


def slot(key):
    """FNV-1a 64 of a feature key -> its slot: the bucket, plus DIMS when the sign is negative."""
    h = 0xCBF29CE484222325
    for b in key:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return (h >> 32) % DIMS + DIMS * ((h >> 31) & 1)


@lru_cache(maxsize=1 << 16)
def trigram(g):
    return slot(b"c" + g.encode())


@lru_cache(maxsize=1 << 18)
def features(word):
    """The slots of a word's features: its unigram, then its 3-grams of code points."""
    return (slot(b"w" + word.encode()), *map(trigram, map("".join, zip(word, word[1:], word[2:]))))


def embed(text):
    """The vector of one chunk (bytes) as the stored blob of 384 little-endian float32."""
    n = [0] * (2 * DIMS)
    words = WORDS.findall(text.lower().decode())  # bytes.lower(): ASCII A-Z only, as the spec says
    for s in chain.from_iterable(map(features, words)):
        n[s] += 1
    c = list(map(operator.sub, n[:DIMS], n[DIMS:]))
    sumsq = sum(map(operator.mul, c, c))
    if sumsq == 0:
        return bytes(4 * DIMS)
    norm = math.sqrt(sumsq)
    return struct.pack(f"<{DIMS}f", *[x / norm for x in c])  # float64 division, then float32


# --- the database ---------------------------------------------------------------------------------

def ingest(corpus, db_path):
    db = sqlite3.connect(db_path, isolation_level=None)  # transactions by hand
    db.execute("PRAGMA busy_timeout = 1000")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA cache_size = -16384")
    db.execute("BEGIN IMMEDIATE")
    for statement in SCHEMA.split(";")[:-1]:
        db.execute(statement)
    if db.execute("SELECT EXISTS (SELECT 1 FROM documents) OR EXISTS (SELECT 1 FROM chunks) "
                  "OR EXISTS (SELECT 1 FROM vectors)").fetchone()[0]:
        raise SystemExit(f"vector-ingester: {db_path}: already holds an ingested corpus")
    db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                   [("format", "vector-ingester/1"), ("embedder", EMBEDDER), ("dims", str(DIMS)),
                    ("chunk_size", str(CHUNK_SIZE)), ("overlap", str(OVERLAP))])
    total = dict(documents=0, empty=0, chunks=0, bytes=0, text_bytes=0, replaced=0)
    chunk_id = pending = 0
    for doc_id, (path, data) in enumerate(documents(corpus), start=1):
        text = data.decode("utf-8", "replace")  # maximal subparts, as the spec asks
        replaced = text.count("\ufffd") - data.count("\ufffd".encode())
        t = text.encode()
        seq = -1
        for seq, (s, e) in enumerate(chunks(t)):
            chunk_id += 1
            db.execute("INSERT INTO chunks (id, doc_id, seq, start, text) VALUES (?, ?, ?, ?, ?)",
                       (chunk_id, doc_id, seq, s, t[s:e].decode()))
            db.execute("INSERT INTO vectors (chunk_id, embedding) VALUES (?, ?)",
                       (chunk_id, embed(t[s:e])))
            pending += 1
            if pending == BATCH:
                db.execute("COMMIT")
                db.execute("BEGIN IMMEDIATE")
                pending = 0
        row = dict(bytes=len(data), text_bytes=len(t), chunks=seq + 1, replaced=replaced)
        db.execute("INSERT INTO documents (id, path, bytes, text_bytes, chunks, replaced) "
                   "VALUES (?, ?, ?, ?, ?, ?)", (doc_id, path, *row.values()))
        row.update(documents=1, empty=len(data) == 0)
        for key in total:
            total[key] += row[key]
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('status', 'complete')")
    db.execute("COMMIT")
    db.execute("PRAGMA journal_mode = DELETE")
    db.close()
    return total


def main():
    if len(sys.argv) != 3:
        print("usage: reference.py <corpus-dir-or-tar> <database>", file=sys.stderr)
        return 2
    t = ingest(sys.argv[1], sys.argv[2])
    print('{"documents":%d,"empty":%d,"chunks":%d,"bytes":%d,"text_bytes":%d,"replaced":%d}'
          % tuple(t[k] for k in ("documents", "empty", "chunks", "bytes", "text_bytes", "replaced")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
