//! The pipeline: for each document, read blocks → repair UTF-8 → cut chunks from a bounded text
//! window → embed → store. Memory is one read block, one text window and SQLite's page cache.

use crate::chunk::{self, Params};
use crate::corpus::Corpus;
use crate::embed::Embedder;
use crate::store::{self, Store};
use crate::{utf8, Config, Error, Summary, BLOCK};
use std::io::{ErrorKind, Read};
use std::path::Path;

/// What one document contributed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DocStats {
    pub bytes: u64,
    pub text_bytes: u64,
    pub chunks: u64,
    pub replaced: u64,
}

/// Reusable buffers of the document reader.
pub struct Buffers {
    raw: Vec<u8>,
    text: Vec<u8>,
}

impl Default for Buffers {
    fn default() -> Self {
        Buffers {
            raw: vec![0; BLOCK + 4],
            text: Vec::with_capacity(4 * BLOCK),
        }
    }
}

/// The text window is shifted to the front once this much of it lies before the chunk start.
const COMPACT: usize = BLOCK;

/// Streams one document: calls `on_chunk(start, text)` for every chunk in order.
pub fn process_document(
    reader: &mut dyn Read,
    subject: &str,
    p: &Params,
    bufs: &mut Buffers,
    mut on_chunk: impl FnMut(u64, &str) -> Result<(), Error>,
) -> Result<DocStats, Error> {
    let mut st = DocStats::default();
    let Buffers { raw, text } = bufs;
    text.clear();
    let mut carry = 0; // bytes of an incomplete UTF-8 sequence kept at raw[..carry]
    let mut eof = false;
    let mut base = 0u64; // offset of text[0] in the document's text
    let mut s = 0; // chunk start in `text`
    loop {
        while !eof && text.len() - s <= p.size {
            let n = loop {
                match reader.read(&mut raw[carry..carry + BLOCK]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(e) => return Err(Error::new(subject, e)),
                }
            };
            st.bytes += n as u64;
            eof = n == 0;
            let (used, replaced) = utf8::decode(&raw[..carry + n], eof, text);
            st.replaced += replaced;
            raw.copy_within(used..carry + n, 0);
            carry = carry + n - used;
        }
        let window = &text[s..];
        if window.is_empty() {
            break;
        }
        if eof && window.len() <= p.size {
            on_chunk(base + s as u64, as_str(window))?;
            st.chunks += 1;
            break;
        }
        let e = chunk::end(window, p);
        on_chunk(base + s as u64, as_str(&window[..e]))?;
        st.chunks += 1;
        s += chunk::next_start(window, e, p);
        if s >= COMPACT {
            text.drain(..s);
            base += s as u64;
            s = 0;
        }
    }
    st.text_bytes = base + text.len() as u64;
    Ok(st)
}

/// Chunks always hold whole code points of repaired text.
fn as_str(b: &[u8]) -> &str {
    std::str::from_utf8(b).expect("chunks are valid UTF-8")
}

/// Ingests `corpus` into the database `db` (see the spec for the order of everything).
pub fn ingest(
    corpus: &Path,
    db: &Path,
    cfg: &Config,
    embedder: &mut dyn Embedder,
) -> Result<Summary, Error> {
    let mut docs = Corpus::open(corpus)?;
    let conn = store::open(db, cfg)?;
    let result = (|| {
        let mut store = Store::begin(&conn, db, cfg, embedder.name(), embedder.dims())?;
        let mut sum = Summary::default();
        let mut bufs = Buffers::default();
        let mut vector = vec![0f32; embedder.dims()];
        let mut chunk_id = 0u64;
        docs.for_each(|doc| {
            let doc_id = sum.documents + 1;
            let mut seq = 0u64;
            let st = process_document(
                doc.reader,
                doc.subject,
                &cfg.chunk,
                &mut bufs,
                |start, text| {
                    chunk_id += 1;
                    embedder.embed(text, &mut vector);
                    store.add_chunk(chunk_id, doc_id, seq, start, text, &vector)?;
                    seq += 1;
                    Ok(())
                },
            )?;
            store.add_document(
                doc_id,
                doc.path,
                st.bytes,
                st.text_bytes,
                st.chunks,
                st.replaced,
            )?;
            sum.documents += 1;
            sum.empty += u64::from(st.bytes == 0);
            sum.chunks += st.chunks;
            sum.bytes += st.bytes;
            sum.text_bytes += st.text_bytes;
            sum.replaced += st.replaced;
            Ok(())
        })?;
        store.finish()?;
        Ok(sum)
    })();
    match result {
        Ok(sum) => {
            store::close(conn, db)?;
            Ok(sum)
        }
        Err(e) => {
            store::abort(conn);
            Err(e)
        }
    }
}
