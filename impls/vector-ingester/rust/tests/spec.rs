//! The shared cases of ../testdata (made by model.py): UTF-8 repair, embeddings, the chunk and
//! vector listing of the test corpus for two chunk sizes, and the same through the database.

use rusqlite::Connection;
use std::io::Read;
use std::path::{Path, PathBuf};
use vector_ingester::chunk::Params;
use vector_ingester::corpus::Corpus;
use vector_ingester::embed::{counts, fnv1a, normalise, Embedder, HashEmbedder, DIMS};
use vector_ingester::ingest::{ingest, process_document, Buffers};
use vector_ingester::{utf8, Config};

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata")
        .join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(testdata(name)).unwrap()
}

fn unhex(s: &str) -> Vec<u8> {
    if s == "-" {
        return Vec::new();
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn cases(name: &str) -> Vec<Vec<String>> {
    read(name)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split(' ').map(String::from).collect())
        .collect()
}

fn blob(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

#[test]
fn utf8_repair_matches_the_model_whole_and_split_anywhere() {
    for c in cases("utf8.txt") {
        let (input, want, want_n) = (unhex(&c[0]), unhex(&c[1]), c[2].parse::<u64>().unwrap());
        for cut in 0..=input.len() {
            let mut out = Vec::new();
            let (used, n1) = utf8::decode(&input[..cut], false, &mut out);
            let mut rest = input[used..cut].to_vec();
            rest.extend_from_slice(&input[cut..]);
            let (all, n2) = utf8::decode(&rest, true, &mut out);
            assert_eq!(all, rest.len());
            assert_eq!((&out, n1 + n2), (&want, want_n), "input {} cut {cut}", c[0]);
        }
    }
}

#[test]
fn embeddings_match_the_model() {
    let mut e = HashEmbedder::new();
    let mut v = vec![0f32; DIMS];
    for c in cases("embed.txt") {
        let text = String::from_utf8(unhex(&c[0])).unwrap();
        let mut c3 = [0i32; DIMS];
        counts(text.as_bytes(), &mut c3);
        let nz: Vec<String> = c3
            .iter()
            .enumerate()
            .filter(|(_, &x)| x != 0)
            .map(|(i, x)| format!("{i}:{x}"))
            .collect();
        let nz = if nz.is_empty() {
            "-".to_string()
        } else {
            nz.join(",")
        };
        assert_eq!(nz, c[2], "counts of {text:?}");
        e.embed(&text, &mut v);
        assert_eq!(
            format!("{:016x}", fnv1a(FNV_OFFSET, &blob(&v))),
            c[1],
            "{text:?}"
        );
        let mut again = vec![0f32; DIMS];
        normalise(&c3, &mut again);
        assert_eq!(v, again);
    }
}

/// Hands out at most `step` bytes per read, to move every read boundary.
struct Dribble<'a> {
    inner: &'a mut dyn Read,
    step: usize,
}

impl Read for Dribble<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.step);
        self.inner.read(&mut buf[..n])
    }
}

/// The expected-<size>-<overlap>.txt listing, computed without the database.
fn listing(corpus: &Path, p: Params, step: usize) -> String {
    let mut out = String::new();
    let mut e = HashEmbedder::new();
    let mut v = vec![0f32; DIMS];
    let mut bufs = Buffers::default();
    let (mut doc_id, mut chunk_id) = (0u64, 0u64);
    Corpus::open(corpus)
        .unwrap()
        .for_each(|doc| {
            doc_id += 1;
            let mut seq = 0;
            let mut r = Dribble {
                inner: doc.reader,
                step,
            };
            let st = process_document(&mut r, doc.subject, &p, &mut bufs, |start, text| {
                chunk_id += 1;
                e.embed(text, &mut v);
                out += &format!(
                    "chunk {chunk_id} {doc_id} {seq} {start} {} {:016x} {:016x}\n",
                    text.len(),
                    fnv1a(FNV_OFFSET, text.as_bytes()),
                    fnv1a(FNV_OFFSET, &blob(&v))
                );
                seq += 1;
                Ok(())
            })?;
            out += &format!(
                "doc {doc_id} {} bytes={} text_bytes={} chunks={} replaced={}\n",
                doc.path, st.bytes, st.text_bytes, st.chunks, st.replaced
            );
            Ok(())
        })
        .unwrap();
    out
}

#[test]
fn chunk_listing_matches_the_model() {
    for (size, overlap) in [(1024, 128), (64, 16)] {
        let want = read(&format!("expected-{size}-{overlap}.txt"));
        let p = Params::new(size, overlap).unwrap();
        for corpus in ["corpus", "corpus.tar"] {
            for step in [1 << 20, 7, 1] {
                let got = listing(&testdata(corpus), p, step);
                assert!(got == want, "{corpus} {size}/{overlap} step {step}:\n{got}");
            }
        }
    }
}

/// The same listing, read back from a database.
pub fn db_listing(db: &Path) -> String {
    let conn = Connection::open(db).unwrap();
    let mut out = String::new();
    let mut docs = conn
        .prepare("SELECT id, path, bytes, text_bytes, chunks, replaced FROM documents ORDER BY id")
        .unwrap();
    let mut chunks = conn
        .prepare(
            "SELECT c.id, c.doc_id, c.seq, c.start, c.text, v.embedding FROM chunks c \
             JOIN vectors v ON v.chunk_id = c.id WHERE c.doc_id = ?1 ORDER BY c.id",
        )
        .unwrap();
    let rows = docs
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })
        .unwrap();
    for row in rows {
        let (id, path, bytes, tb, n, rep) = row.unwrap();
        let cs = chunks
            .query_map([id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Vec<u8>>(5)?,
                ))
            })
            .unwrap();
        for c in cs {
            let (cid, doc, seq, start, text, vec) = c.unwrap();
            out += &format!(
                "chunk {cid} {doc} {seq} {start} {} {:016x} {:016x}\n",
                text.len(),
                fnv1a(FNV_OFFSET, text.as_bytes()),
                fnv1a(FNV_OFFSET, &vec)
            );
        }
        out +=
            &format!("doc {id} {path} bytes={bytes} text_bytes={tb} chunks={n} replaced={rep}\n");
    }
    out
}

#[test]
fn database_matches_the_model_for_a_directory_and_an_archive() {
    let dir = std::env::temp_dir().join(format!("vi-rust-spec-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for corpus in ["corpus", "corpus.tar"] {
        let db = dir.join(format!("{corpus}.db"));
        let sum = ingest(
            &testdata(corpus),
            &db,
            &Config::default(),
            &mut HashEmbedder::new(),
        )
        .unwrap();
        assert_eq!(sum.json() + "\n", read("expected-summary.txt"));
        assert_eq!(db_listing(&db), read("expected-1024-128.txt"), "{corpus}");
        let conn = Connection::open(&db).unwrap();
        let meta: Vec<(String, String)> = conn
            .prepare("SELECT key, value FROM meta ORDER BY key")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let want = [
            ("chunk_size", "1024"),
            ("dims", "384"),
            ("embedder", "fnv1a-hash-384/1"),
            ("format", "vector-ingester/1"),
            ("overlap", "128"),
            ("status", "complete"),
        ];
        assert_eq!(
            meta,
            want.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        );
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "delete");
        assert!(!dir.join(format!("{corpus}.db-wal")).exists());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
