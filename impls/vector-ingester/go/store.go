package main

import (
	"encoding/binary"
	"fmt"
	"math"
)

const schema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (id INTEGER PRIMARY KEY, path TEXT NOT NULL,
    bytes INTEGER NOT NULL, text_bytes INTEGER NOT NULL, chunks INTEGER NOT NULL,
    replaced INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL,
    seq INTEGER NOT NULL, start INTEGER NOT NULL, text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vectors (chunk_id INTEGER PRIMARY KEY, embedding BLOB NOT NULL);
`

// store writes rows through prepared statements; the open transaction is the batch.
type store struct {
	c                      *conn
	path                   string
	chunk, vector, docStmt *stmt
	blob                   []byte
	pending, batch         int
}

func (s *store) fail(err error) error { return &Error{s.path, err.Error()} }

// openStore opens (or creates) the database and applies the spec's PRAGMAs.
func openStore(path string, cfg Config) (*store, error) {
	c, err := openConn(path)
	if err != nil {
		return nil, &Error{path, err.Error()}
	}
	s := &store{c: c, path: path, batch: cfg.Batch}
	pragmas := "PRAGMA busy_timeout = 1000; PRAGMA journal_mode = WAL; " +
		"PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16384;"
	if cfg.MaxPages > 0 {
		pragmas += fmt.Sprintf(" PRAGMA max_page_count = %d;", cfg.MaxPages)
	}
	if err := c.exec(pragmas); err != nil {
		c.close()
		return nil, s.fail(err)
	}
	return s, nil
}

// begin starts the first transaction, creates the tables, refuses a filled database, writes the
// configuration rows of meta and prepares the inserts.
func (s *store) begin(cfg Config, embedder string, dims int) error {
	if err := s.c.exec("BEGIN IMMEDIATE;" + schema); err != nil {
		return s.fail(err)
	}
	q, err := s.c.prepare("SELECT EXISTS (SELECT 1 FROM documents) OR EXISTS (SELECT 1 FROM chunks) " +
		"OR EXISTS (SELECT 1 FROM vectors)")
	if err != nil {
		return s.fail(err)
	}
	_, err = q.next()
	filled := q.colInt(0) != 0
	q.finalize()
	if err != nil {
		return s.fail(err)
	}
	if filled {
		return &Error{s.path, "already holds an ingested corpus (ingest into a new file)"}
	}
	meta, err := s.c.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")
	if err != nil {
		return s.fail(err)
	}
	defer meta.finalize()
	for _, kv := range [][2]string{
		{"format", "vector-ingester/1"},
		{"embedder", embedder},
		{"dims", fmt.Sprint(dims)},
		{"chunk_size", fmt.Sprint(cfg.Chunk.size)},
		{"overlap", fmt.Sprint(cfg.Chunk.overlap)},
	} {
		if err := meta.bindText(1, kv[0]); err != nil {
			return s.fail(err)
		}
		if err := meta.bindText(2, kv[1]); err != nil {
			return s.fail(err)
		}
		if err := meta.done(); err != nil {
			return s.fail(err)
		}
	}
	for _, p := range []struct {
		to  **stmt
		sql string
	}{
		{&s.chunk, "INSERT INTO chunks (id, doc_id, seq, start, text) VALUES (?1, ?2, ?3, ?4, ?5)"},
		{&s.vector, "INSERT INTO vectors (chunk_id, embedding) VALUES (?1, ?2)"},
		{&s.docStmt, "INSERT INTO documents (id, path, bytes, text_bytes, chunks, replaced) " +
			"VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
	} {
		if *p.to, err = s.c.prepare(p.sql); err != nil {
			return s.fail(err)
		}
	}
	s.blob = make([]byte, 4*dims)
	return nil
}

// addChunk inserts one chunk and its vector; commits when the batch is full.
func (s *store) addChunk(id, doc, seq, start int64, text []byte, vec []float32) error {
	b := s.blob
	for _, v := range vec {
		binary.LittleEndian.PutUint32(b, math.Float32bits(v))
		b = b[4:]
	}
	if err := insertChunk(s.chunk, s.vector, id, doc, seq, start, text, s.blob); err != nil {
		return s.fail(err)
	}
	s.pending++
	if s.pending == s.batch {
		s.pending = 0
		if err := s.c.exec("COMMIT; BEGIN IMMEDIATE;"); err != nil {
			return s.fail(err)
		}
	}
	return nil
}

// addDocument inserts a document's row (after its last chunk).
func (s *store) addDocument(id int64, path string, st docStats) error {
	d := s.docStmt
	d.bindInt(1, id)
	if err := d.bindText(2, path); err != nil {
		return s.fail(err)
	}
	d.bindInt(3, st.bytes)
	d.bindInt(4, st.textBytes)
	d.bindInt(5, st.chunks)
	d.bindInt(6, st.replaced)
	if err := d.done(); err != nil {
		return s.fail(err)
	}
	return nil
}

func (s *store) finalizeAll() {
	for _, st := range []*stmt{s.chunk, s.vector, s.docStmt} {
		if st != nil {
			st.finalize()
		}
	}
	s.chunk, s.vector, s.docStmt = nil, nil, nil
}

// finish marks the database complete, commits, returns to a rollback journal (which removes
// the -wal file) and closes.
func (s *store) finish() error {
	s.finalizeAll()
	if err := s.c.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('status', 'complete'); COMMIT;"); err != nil {
		return s.fail(err)
	}
	if err := s.c.exec("PRAGMA journal_mode = DELETE;"); err != nil {
		return s.fail(err)
	}
	if err := s.c.close(); err != nil {
		return s.fail(err)
	}
	return nil
}

// abort rolls back the open batch (unless SQLite already did) and closes.
func (s *store) abort() {
	s.finalizeAll()
	if !s.c.autocommit() {
		s.c.exec("ROLLBACK;")
	}
	s.c.close()
}
