#!/usr/bin/env python3
"""Verification of one vector-ingester database (run by the benchmark runner once per language).

usage: check.py --root ROOT --corpus CORPUS --out DIR --stdout FILE --lang LANG [--probe TEXT]...

DIR/vectors.db is the database the implementation wrote. Checked against model.py (the Python
model of README.md), independently of the three implementations:
  1. the summary line on FILE, and the model's totals for CORPUS;
  2. meta rows (status = complete), every documents row, every chunk (id, doc_id, seq, start, text);
  3. every vector is a 1536-byte blob of L2 norm 1 (±1e-5) or all zeros (through sqlite-vec);
     a deterministic sample (~2000, or all of a small corpus) is bit-identical to the model's;
  4. the top-5 chunk ids of each probe text, through the sqlite-vec extension:
       SELECT chunk_id FROM vectors ORDER BY vec_distance_l2(embedding, ?), chunk_id LIMIT 5
Writes DIR/canonical.txt (row counts, SHA-256 of documents, chunk texts and vector blobs, probe
results). Then compares with the other languages' verification databases of the same bench
(DIR/../../<other>/verify/vectors.db, written within the hour): this language (or reference,
or variant) must be in the strictly largest group (>= 2) of identical canonical forms; alone, that
part is not applicable.

sqlite-vec (PyPI `sqlite-vec`) is installed on first use into ROOT/.runner/venvs/vector-ingester.
If this Python's sqlite3 module cannot load extensions, the `sqlite3` command-line shell runs the
queries that need it. Exit 0 when everything holds; otherwise print the problems and exit 1.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import model  # noqa: E402

SQLITE_VEC = "sqlite-vec==0.1.9"
LANGS = ("go", "rust", "zig")
SUMMARY = re.compile(r'\{"documents":(\d+),"empty":(\d+),"chunks":(\d+),"bytes":(\d+),'
                     r'"text_bytes":(\d+),"replaced":(\d+)\}')
SAMPLE = 2000
TOPK_SQL = ("SELECT chunk_id FROM vectors ORDER BY vec_distance_l2(embedding, {q}), chunk_id "
            "LIMIT 5")


class Failed(Exception):
    pass


def fail(msg):
    raise Failed(msg)


# --------------------------------------------------------------------------------- sqlite-vec ---

def vec0_path(root):
    """Path of the sqlite-vec loadable extension (without suffix), installing it if needed."""
    base = os.path.join(root, ".runner", "venvs", "vector-ingester")
    py = os.path.join(base, "bin", "python")
    probe = "import sqlite_vec; print(sqlite_vec.loadable_path())"
    if os.path.exists(py):
        r = subprocess.run([py, "-c", probe], capture_output=True, text=True)
        if r.returncode == 0:
            return r.stdout.strip()
    target = os.path.join(root, ".runner", "pylib", "vector-ingester")
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                       env=dict(os.environ, PYTHONPATH=target))
    if r.returncode == 0:
        return r.stdout.strip()
    os.makedirs(os.path.dirname(base), exist_ok=True)
    made = subprocess.run([sys.executable, "-m", "venv", "--clear", base],
                          capture_output=True, text=True)
    if made.returncode == 0:
        pip = subprocess.run([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                              SQLITE_VEC], capture_output=True, text=True)
        if pip.returncode != 0:
            fail(f"pip install {SQLITE_VEC} failed: {pip.stderr.strip()[-400:]}")
        r = subprocess.run([py, "-c", probe], capture_output=True, text=True)
    else:
        # No venv module (Debian without python3-venv): install next to this script's Python.
        pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                              "--disable-pip-version-check", "--target", target, SQLITE_VEC],
                             capture_output=True, text=True)
        if pip.returncode != 0:
            fail(f"cannot make a venv ({made.stderr.strip()[-200:]}) nor pip install --target "
                 f"({pip.stderr.strip()[-200:]})")
        r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           env=dict(os.environ, PYTHONPATH=target))
    if r.returncode != 0:
        fail(f"sqlite-vec installed but not importable: {r.stderr.strip()[-400:]}")
    return r.stdout.strip()


class VecSQL:
    """Runs queries that need sqlite-vec: in-process if possible, else with the sqlite3 shell."""

    def __init__(self, ext):
        self.ext = ext
        self.inproc = hasattr(sqlite3.Connection, "enable_load_extension")
        if not self.inproc and shutil.which("sqlite3") is None:
            fail("this Python's sqlite3 cannot load extensions and there is no sqlite3 shell")
        self.how = "python sqlite3" if self.inproc else "sqlite3 shell"

    def query(self, db, sql, blobs=()):
        """Rows of `sql`, whose `?` are replaced by the given blobs."""
        if self.inproc:
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            try:
                conn.enable_load_extension(True)
                conn.load_extension(self.ext)
                conn.enable_load_extension(False)
                return [tuple(r) for r in conn.execute(sql, tuple(blobs))]
            finally:
                conn.close()
        for b in blobs:
            sql = sql.replace("?", f"X'{b.hex()}'", 1)
        r = subprocess.run(["sqlite3", "-readonly", "-batch", "-noheader", "-separator", "|",
                            "-cmd", f".load {self.ext}", db, sql],
                           capture_output=True, text=True)
        if r.returncode != 0:
            fail(f"sqlite3 shell: {r.stderr.strip()}")
        return [tuple(line.split("|")) for line in r.stdout.splitlines() if line]

    def topk(self, db, qblob):
        return [int(r[0]) for r in self.query(db, TOPK_SQL.format(q="?"), [qblob])]

    def bad_norms(self, db):
        zero = bytes(4 * model.DIMS)
        sql = ("SELECT count(*) FROM vectors WHERE NOT (vec_distance_l2(embedding, ?) = 0 OR "
               "abs(vec_distance_l2(embedding, ?) - 1.0) <= 1e-5)")
        return int(self.query(db, sql, [zero, zero])[0][0])


# ---------------------------------------------------------------------------------- checks ---

def open_ro(db):
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.text_factory = bytes
    return conn


def check_summary(stdout_file):
    lines = [l for l in open(stdout_file, "rb").read().decode("utf-8", "replace").splitlines()
             if l.strip()]
    if len(lines) != 1:
        fail(f"stdout must hold exactly one line, found {len(lines)}")
    m = SUMMARY.fullmatch(lines[0])
    if not m:
        fail(f"summary line is not the spec's: {lines[0][:200]!r}")
    return lines[0], [int(x) for x in m.groups()]


def check_meta(conn):
    meta = {k.decode(): v.decode() for k, v in conn.execute("SELECT key, value FROM meta")}
    want = {"format": "vector-ingester/1", "embedder": model.EMBEDDER, "dims": "384",
            "chunk_size": "1024", "overlap": "128", "status": "complete"}
    if meta != want:
        fail(f"meta is {meta}, want {want}")


def check_rows(conn, corpus, expected_chunks):
    """Every document and chunk against the model; returns (totals, sampled {id: text})."""
    step = max(1, expected_chunks // SAMPLE)
    sample = {}
    docs = conn.execute("SELECT id, path, bytes, text_bytes, chunks, replaced FROM documents "
                        "ORDER BY id")
    chunks = conn.execute("SELECT id, doc_id, seq, start, text FROM chunks ORDER BY id")
    totals = [0, 0, 0, 0, 0, 0]
    chunk_id = 0
    for doc_id, (path, data) in enumerate(model.documents(corpus), start=1):
        t, replaced = model.decode(data)
        spans = model.chunks(t)
        for seq, (s, e) in enumerate(spans):
            chunk_id += 1
            row = chunks.fetchone()
            want = (chunk_id, doc_id, seq, s)
            if row is None:
                fail(f"chunk {chunk_id} ({path} #{seq}) is missing")
            if tuple(row[:4]) != want:
                fail(f"chunk {chunk_id}: (id, doc_id, seq, start) = {tuple(row[:4])}, want {want}")
            if row[4] != t[s:e]:
                fail(f"chunk {chunk_id} ({path} #{seq}): text differs from the model's "
                     f"({len(row[4])} vs {e - s} bytes)")
            if chunk_id % step == 0 or chunk_id == 1:
                sample[chunk_id] = row[4]
        row = docs.fetchone()
        want = (doc_id, path.encode(), len(data), len(t), len(spans), replaced)
        if row is None or tuple(row) != want:
            fail(f"documents row {doc_id}: {row}, want {want}")
        totals[0] += 1
        totals[1] += len(data) == 0
        totals[2] += len(spans)
        totals[3] += len(data)
        totals[4] += len(t)
        totals[5] += replaced
    if chunks.fetchone() is not None:
        fail(f"the database holds more than the model's {chunk_id} chunks")
    if docs.fetchone() is not None:
        fail(f"the database holds more than the model's {totals[0]} documents")
    return totals, sample


def check_vectors(conn, vec, db, nchunks, sample):
    n = conn.execute("SELECT count(*) FROM vectors").fetchone()[0]
    if n != nchunks:
        fail(f"{n} vectors for {nchunks} chunks")
    orphans = conn.execute("SELECT count(*) FROM vectors v LEFT JOIN chunks c "
                           "ON c.id = v.chunk_id WHERE c.id IS NULL").fetchone()[0]
    if orphans:
        fail(f"{orphans} vectors belong to no chunk")
    bad = conn.execute("SELECT count(*) FROM vectors WHERE typeof(embedding) != 'blob' "
                       "OR length(embedding) != ?", (4 * model.DIMS,)).fetchone()[0]
    if bad:
        fail(f"{bad} vectors are not {4 * model.DIMS}-byte blobs")
    bad = vec.bad_norms(db)
    if bad:
        fail(f"{bad} vectors have an L2 norm that is neither 1 nor 0")
    cache = {}
    for cid, text in sample.items():
        got = conn.execute("SELECT embedding FROM vectors WHERE chunk_id = ?", (cid,)).fetchone()[0]
        want = model.embed(text, cache)
        if got != want:
            diff = max_abs_diff(got, want)
            fail(f"vector of chunk {cid} differs from the model's (largest difference {diff:.3g})")


def max_abs_diff(a, b):
    import struct
    n = model.DIMS
    x, y = struct.unpack(f"<{n}f", a), struct.unpack(f"<{n}f", b)
    return max(abs(p - q) for p, q in zip(x, y))


def canonical(db, vec, probes):
    """Text that is identical for two databases holding the same rows and vectors."""
    conn = open_ro(db)
    h_docs, h_chunks, h_vecs = hashlib.sha256(), hashlib.sha256(), hashlib.sha256()
    ndocs = nchunks = 0
    for row in conn.execute("SELECT id, path, bytes, text_bytes, chunks, replaced FROM documents "
                            "ORDER BY id"):
        ndocs += 1
        h_docs.update(b"%d\t%s\t%d\t%d\t%d\t%d\n" % row)
    for cid, doc, seq, start, text in conn.execute("SELECT id, doc_id, seq, start, text "
                                                   "FROM chunks ORDER BY id"):
        nchunks += 1
        h_chunks.update(b"%d\t%d\t%d\t%d\t%d\t" % (cid, doc, seq, start, len(text)))
        h_chunks.update(text)
    for cid, blob in conn.execute("SELECT chunk_id, embedding FROM vectors ORDER BY chunk_id"):
        h_vecs.update(b"%d\t" % cid)
        h_vecs.update(blob)
    conn.close()
    lines = [f"documents {ndocs}", f"chunks {nchunks}", f"documents-sha256 {h_docs.hexdigest()}",
             f"chunks-sha256 {h_chunks.hexdigest()}", f"vectors-sha256 {h_vecs.hexdigest()}"]
    for i, p in enumerate(probes):
        ids = vec.topk(db, model.embed(p.encode("utf-8")))
        lines.append(f"probe {i} top5 {','.join(map(str, ids))}")
    return "\n".join(lines) + "\n"


def stamp(db):
    st = os.stat(db)
    return f"# {st.st_size} {st.st_mtime_ns}\n"


def cached_canonical(db, vec, probes):
    """The canonical text of a peer, reusing its canonical.txt when it was made for this file."""
    path = os.path.join(os.path.dirname(db), "canonical.txt")
    try:
        with open(path) as f:
            head, body = f.readline(), f.read()
        if head == stamp(db) and body.count("probe ") == len(probes):
            return body
    except OSError:
        pass
    return canonical(db, vec, probes)


def compare_peers(out, lang, db, mine, vec, probes):
    """None when not applicable, else raises on disagreement; returns a description."""
    verify = os.path.abspath(out)
    if os.path.basename(verify) != "verify":
        return "not applicable (output folder is not <work>/<job>/verify)"
    # A reference or a variant (its folder is not named after a language) is compared with the
    # languages' databases the same way.
    work = os.path.dirname(os.path.dirname(verify))
    mtime = os.stat(db).st_mtime
    forms = {lang: mine}
    for other in LANGS:
        if other == lang:
            continue
        pdb = os.path.join(work, other, "verify", "vectors.db")
        if not os.path.exists(pdb) or abs(os.stat(pdb).st_mtime - mtime) > 3600:
            continue
        try:
            conn = open_ro(pdb)
            done = conn.execute("SELECT value FROM meta WHERE key = 'status'").fetchone()
            conn.close()
        except sqlite3.Error:
            done = None
        if done != (b"complete",):
            continue
        forms[other] = cached_canonical(pdb, vec, probes)
    if len(forms) == 1:
        return "not applicable (no other language's database of this bench)"
    groups = {}
    for name, form in forms.items():
        groups.setdefault(form, []).append(name)
    sizes = sorted((len(v) for v in groups.values()), reverse=True)
    best = max(groups.values(), key=len)
    ok = len(best) >= 2 and (len(sizes) == 1 or sizes[0] > sizes[1]) and lang in best
    if ok:
        return f"identical to {', '.join(n for n in best if n != lang)}"
    others = [n for n in forms if n != lang]
    details = []
    for n in others:
        if forms[n] != mine:
            pairs = [(x, y) for x, y in zip(mine.splitlines(), forms[n].splitlines()) if x != y]
            details.append(f"{n}: " + "; ".join(f"{x!r} vs {y!r}" for x, y in pairs))
            keys = {x.split(" ")[0] for x, _ in pairs}
            if "vectors-sha256" in keys and "chunks-sha256" not in keys:
                pdb = os.path.join(work, n, "verify", "vectors.db")
                details.append(f"largest vector difference vs {n}: {vector_diff(db, pdb):.3g}")
    fail("cross-language: not in the majority; " + " | ".join(details))


def vector_diff(a, b):
    ca, cb = open_ro(a), open_ro(b)
    worst = 0.0
    for (ia, va), (ib, vb) in zip(ca.execute("SELECT chunk_id, embedding FROM vectors ORDER BY 1"),
                                  cb.execute("SELECT chunk_id, embedding FROM vectors ORDER BY 1")):
        if va != vb:
            worst = max(worst, max_abs_diff(va, vb))
    return worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--stdout", required=True)
    ap.add_argument("--lang", required=True)
    ap.add_argument("--probe", action="append", default=[])
    a = ap.parse_args()
    db = os.path.join(a.out, "vectors.db")
    try:
        line, summary = check_summary(a.stdout)
        if not os.path.exists(db):
            fail(f"{db} does not exist")
        for extra in ("-wal", "-journal"):
            if os.path.exists(db + extra) and os.path.getsize(db + extra) > 0:
                fail(f"{db}{extra} was left behind")
        conn = open_ro(db)
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != b"delete":
            fail("the database was not switched back to journal_mode = DELETE")
        check_meta(conn)
        totals, sample = check_rows(conn, a.corpus, summary[2])
        if totals != summary:
            fail(f"summary {line} but the model counts {totals}")
        vec = VecSQL(vec0_path(a.root))
        check_vectors(conn, vec, db, summary[2], sample)
        conn.close()
        mine = canonical(db, vec, a.probe)
        with open(os.path.join(a.out, "canonical.txt"), "w") as f:
            f.write(stamp(db) + mine)
        cross = compare_peers(a.out, a.lang, db, mine, vec, a.probe)
    except Failed as e:
        print(f"check.py ({a.lang}): {e}", file=sys.stderr)
        return 1
    print(f"check.py ({a.lang}): ok: {summary[0]} documents, {summary[2]} chunks match the model; "
          f"{len(sample)} vectors bit-identical to the model's; probes via {vec.how}: "
          + "; ".join(l for l in mine.splitlines() if l.startswith("probe"))
          + f"; cross-language: {cross}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
