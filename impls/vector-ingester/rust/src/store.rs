//! The SQLite side: PRAGMAs, schema, prepared inserts and batched transactions (spec:
//! *Database*). One open transaction is the batch; rows go to SQLite as they are made.

use crate::{Config, Error};
use rusqlite::{Connection, OpenFlags, Statement};
use std::path::Path;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (id INTEGER PRIMARY KEY, path TEXT NOT NULL,
    bytes INTEGER NOT NULL, text_bytes INTEGER NOT NULL, chunks INTEGER NOT NULL,
    replaced INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL,
    seq INTEGER NOT NULL, start INTEGER NOT NULL, text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vectors (chunk_id INTEGER PRIMARY KEY, embedding BLOB NOT NULL);
";

/// Opens (or creates) the database and applies the spec's PRAGMAs.
pub fn open(path: &Path, cfg: &Config) -> Result<Connection, Error> {
    let subject = path.display().to_string();
    let err = |e: rusqlite::Error| Error::new(&subject, e);
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
    )
    .map_err(err)?;
    // As a PRAGMA: rusqlite's `busy_timeout()` also calls `sqlite3_set_clientdata`, which the
    // system SQLite (3.40) does not have.
    conn.query_row("PRAGMA busy_timeout = 1000", [], |_| Ok(()))
        .map_err(err)?;
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
        .map_err(err)?;
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16384;")
        .map_err(err)?;
    if let Some(pages) = cfg.max_pages {
        conn.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))
            .map_err(err)?;
    }
    Ok(conn)
}

/// Prepared statements and the batch counter, borrowed from an open connection.
pub struct Store<'c> {
    conn: &'c Connection,
    subject: String,
    chunk: Statement<'c>,
    vector: Statement<'c>,
    document: Statement<'c>,
    blob: Vec<u8>,
    pending: usize,
    batch: usize,
}

impl<'c> Store<'c> {
    /// Starts the first transaction, creates the tables, refuses a filled database and writes
    /// the configuration rows of `meta`.
    pub fn begin(
        conn: &'c Connection,
        path: &Path,
        cfg: &Config,
        embedder: &str,
        dims: usize,
    ) -> Result<Self, Error> {
        let subject = path.display().to_string();
        let err = |e: rusqlite::Error| Error::new(&subject, e);
        conn.execute_batch("BEGIN IMMEDIATE").map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        let filled: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM documents) OR EXISTS (SELECT 1 FROM chunks) \
                 OR EXISTS (SELECT 1 FROM vectors)",
                [],
                |r| r.get(0),
            )
            .map_err(err)?;
        if filled {
            return Err(Error::new(
                &subject,
                "already holds an ingested corpus (ingest into a new file)",
            ));
        }
        {
            let mut meta = conn
                .prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")
                .map_err(err)?;
            for (k, v) in [
                ("format", "vector-ingester/1".to_string()),
                ("embedder", embedder.to_string()),
                ("dims", dims.to_string()),
                ("chunk_size", cfg.chunk.size.to_string()),
                ("overlap", cfg.chunk.overlap.to_string()),
            ] {
                meta.execute((k, v)).map_err(err)?;
            }
        }
        let prepare = |sql: &str| conn.prepare(sql).map_err(err);
        Ok(Store {
            conn,
            chunk: prepare(
                "INSERT INTO chunks (id, doc_id, seq, start, text) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
            vector: prepare("INSERT INTO vectors (chunk_id, embedding) VALUES (?1, ?2)")?,
            document: prepare(
                "INSERT INTO documents (id, path, bytes, text_bytes, chunks, replaced) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?,
            blob: Vec::with_capacity(dims * 4),
            subject,
            pending: 0,
            batch: cfg.batch,
        })
    }

    fn err(&self, e: rusqlite::Error) -> Error {
        Error::new(&self.subject, e)
    }

    /// Inserts one chunk and its vector; commits when the batch is full.
    pub fn add_chunk(
        &mut self,
        id: u64,
        doc_id: u64,
        seq: u64,
        start: u64,
        text: &str,
        vector: &[f32],
    ) -> Result<(), Error> {
        self.blob.clear();
        for v in vector {
            self.blob.extend_from_slice(&v.to_le_bytes());
        }
        let r = self
            .chunk
            .execute((id as i64, doc_id as i64, seq as i64, start as i64, text));
        r.map_err(|e| self.err(e))?;
        let r = self.vector.execute((id as i64, self.blob.as_slice()));
        r.map_err(|e| self.err(e))?;
        self.pending += 1;
        if self.pending == self.batch {
            self.pending = 0;
            self.conn
                .execute_batch("COMMIT; BEGIN IMMEDIATE;")
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// Inserts a document's row (after its last chunk).
    pub fn add_document(
        &mut self,
        id: u64,
        path: &str,
        bytes: u64,
        text_bytes: u64,
        chunks: u64,
        replaced: u64,
    ) -> Result<(), Error> {
        let r = self.document.execute((
            id as i64,
            path,
            bytes as i64,
            text_bytes as i64,
            chunks as i64,
            replaced as i64,
        ));
        r.map(|_| ()).map_err(|e| self.err(e))
    }

    /// Marks the database complete and commits the last batch.
    pub fn finish(self) -> Result<(), Error> {
        let err = |e: rusqlite::Error| Error::new(&self.subject, e);
        self.conn
            .execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('status', 'complete')",
                [],
            )
            .map_err(err)?;
        self.conn.execute_batch("COMMIT").map_err(err)?;
        Ok(())
    }
}

/// After a successful `finish`: back to a rollback journal (removes the `-wal` file) and close.
pub fn close(conn: Connection, path: &Path) -> Result<(), Error> {
    let subject = path.display().to_string();
    conn.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))
        .map_err(|e| Error::new(&subject, e))?;
    conn.close().map_err(|(_, e)| Error::new(&subject, e))
}

/// After a failure: roll back the open batch (if SQLite has not already) and close.
pub fn abort(conn: Connection) {
    if !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    let _ = conn.close();
}
