package main

// Faults of the spec: unreadable documents, broken archives, locked and full databases, a
// database that is already filled; and the command line (exit codes, messages, summary).

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func count(t *testing.T, db, sql string) string {
	t.Helper()
	return query(t, db, sql)[0][0]
}

// assertConsistentPartial: a database left by a failed run has no status row, whole batches
// only, and documents rows only for documents whose chunks are all stored.
func assertConsistentPartial(t *testing.T, db string, batch int) {
	t.Helper()
	if count(t, db, "SELECT count(*) FROM sqlite_master WHERE name = 'meta'") == "0" {
		return // the first batch (which creates the tables) was rolled back: nothing at all
	}
	if n := count(t, db, "SELECT count(*) FROM meta WHERE key = 'status'"); n != "0" {
		t.Error("a failed run left a status row")
	}
	chunks := count(t, db, "SELECT count(*) FROM chunks")
	if n := count(t, db, "SELECT count(*) % "+strconv.Itoa(batch)+" FROM chunks"); n != "0" {
		t.Errorf("a batch was half-written: %s chunks", chunks)
	}
	if v := count(t, db, "SELECT count(*) FROM vectors"); v != chunks {
		t.Errorf("%s vectors for %s chunks", v, chunks)
	}
	if n := count(t, db, "SELECT count(*) FROM documents d WHERE d.chunks != "+
		"(SELECT count(*) FROM chunks c WHERE c.doc_id = d.id)"); n != "0" {
		t.Errorf("%s documents rows without all their chunks", n)
	}
}

func TestDanglingSymlinkAndSymlinkToADirectoryAreErrors(t *testing.T) {
	for name, target := range map[string]string{"dangling": "does-not-exist.txt", "to-dir": "sub"} {
		dir := t.TempDir()
		corpus := filepath.Join(dir, "corpus")
		os.MkdirAll(filepath.Join(corpus, "sub"), 0o755)
		os.WriteFile(filepath.Join(corpus, "a.txt"), []byte("first document, ingested before the failure"), 0o644)
		if err := os.Symlink(target, filepath.Join(corpus, "b-link.txt")); err != nil {
			t.Fatal(err)
		}
		cfg := defaultConfig()
		cfg.Batch = 1
		db := filepath.Join(dir, "v.db")
		_, err := ingest(corpus, db, cfg, &HashEmbedder{})
		e, ok := err.(*Error)
		if !ok || !strings.HasSuffix(e.Subject, "b-link.txt") {
			t.Fatalf("%s: %v", name, err)
		}
		assertConsistentPartial(t, db, 1)
		if n := count(t, db, "SELECT count(*) FROM chunks"); n != "1" {
			t.Errorf("%s: a.txt's batch should stay, found %s chunks", name, n)
		}
	}
}

func TestUnreadableFileWhenPermissionsApply(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus")
	os.MkdirAll(corpus, 0o755)
	f := filepath.Join(corpus, "secret.txt")
	os.WriteFile(f, []byte("no access"), 0o000)
	if _, err := os.ReadFile(f); err == nil {
		t.Skip("running as root: permission bits do not stop reading (the symlink test covers this)")
	}
	_, err := ingest(corpus, filepath.Join(dir, "v.db"), defaultConfig(), &HashEmbedder{})
	if e, ok := err.(*Error); !ok || !strings.HasSuffix(e.Subject, "secret.txt") {
		t.Fatal(err)
	}
}

func TestTruncatedAndCorruptArchivesAreErrors(t *testing.T) {
	tar, err := os.ReadFile(testdata("corpus.tar"))
	if err != nil {
		t.Fatal(err)
	}
	flipped := append([]byte(nil), tar...)
	flipped[10] ^= 0x20
	dir := t.TempDir()
	for _, c := range []struct {
		name   string
		bytes  []byte
		reason string
	}{
		{"cut-data", tar[:512*5+100], "truncated archive"},
		{"cut-header", tar[:512*2+100], "truncated archive"},
		{"checksum", flipped, "bad header checksum"},
	} {
		path := filepath.Join(dir, c.name+".tar")
		os.WriteFile(path, c.bytes, 0o644)
		db := filepath.Join(dir, c.name+".db")
		_, err := ingest(path, db, defaultConfig(), &HashEmbedder{})
		e, ok := err.(*Error)
		if !ok || !strings.Contains(e.Reason, c.reason) || !strings.HasPrefix(e.Subject, path) {
			t.Errorf("%s: %v", c.name, err)
		}
		assertConsistentPartial(t, db, 1000)
	}
}

func TestAFullDiskLeavesOnlyWholeBatches(t *testing.T) {
	db := filepath.Join(t.TempDir(), "v.db")
	cfg := Config{Chunk: chunkParams{64, 16}, Batch: 7, MaxPages: 40}
	_, err := ingest(testdata("corpus"), db, cfg, &HashEmbedder{})
	e, ok := err.(*Error)
	if !ok || !strings.Contains(e.Reason, "full") || e.Subject != db {
		t.Fatal(err)
	}
	assertConsistentPartial(t, db, 7)
	if count(t, db, "SELECT count(*) FROM chunks") == "0" {
		t.Error("no batch was committed before the disk filled up")
	}
}

func TestALockedDatabaseIsAnErrorAfterTheBusyTimeout(t *testing.T) {
	db := filepath.Join(t.TempDir(), "v.db")
	other, err := openConn(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.exec("CREATE TABLE other (x); BEGIN EXCLUSIVE; INSERT INTO other VALUES (1);"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = ingest(testdata("corpus"), db, defaultConfig(), &HashEmbedder{})
	if e, ok := err.(*Error); !ok || !strings.Contains(e.Reason, "locked") {
		t.Fatal(err)
	}
	if time.Since(start) < 900*time.Millisecond {
		t.Error("gave up before the busy timeout")
	}
	other.exec("ROLLBACK;")
	other.close()
	if n := count(t, db, "SELECT count(*) FROM sqlite_master WHERE name = 'documents'"); n != "0" {
		t.Error("something was written to a locked database")
	}
	if _, err := ingest(testdata("corpus"), db, defaultConfig(), &HashEmbedder{}); err != nil {
		t.Fatalf("after the lock is gone: %v", err)
	}
}

func TestADatabaseIsFilledOnceAndEmptyCorporaAreFine(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "v.db")
	if _, err := ingest(testdata("corpus"), db, defaultConfig(), &HashEmbedder{}); err != nil {
		t.Fatal(err)
	}
	_, err := ingest(testdata("corpus"), db, defaultConfig(), &HashEmbedder{})
	if e, ok := err.(*Error); !ok || !strings.Contains(e.Reason, "already holds") {
		t.Fatal(err)
	}
	if n := count(t, db, "SELECT count(*) FROM documents"); n != "10" {
		t.Errorf("%s documents after the refused second run", n)
	}
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	sum, err := ingest(empty, filepath.Join(dir, "e.db"), defaultConfig(), &HashEmbedder{})
	if err != nil || sum.JSON() != `{"documents":0,"empty":0,"chunks":0,"bytes":0,"text_bytes":0,"replaced":0}` {
		t.Fatal(sum, err)
	}
}

func TestCommandLine(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := run([]string{testdata("corpus.tar"), filepath.Join(dir, "v.db")}, &out, &errb); code != 0 {
		t.Fatal(code, errb.String())
	}
	if out.String() != readFile(t, "expected-summary.txt") || errb.Len() != 0 {
		t.Errorf("stdout %q stderr %q", out.String(), errb.String())
	}
	out.Reset()
	errb.Reset()
	if code := run([]string{"x"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "usage") {
		t.Errorf("usage: %d %q", code, errb.String())
	}
	missing := filepath.Join(dir, "missing")
	errb.Reset()
	code := run([]string{missing, filepath.Join(dir, "m.db")}, &out, &errb)
	if code != 1 || out.Len() != 0 || !strings.HasPrefix(errb.String(), "vector-ingester: "+missing+": ") {
		t.Errorf("missing corpus: %d %q", code, errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "m.db")); err == nil {
		t.Error("a database was created without a corpus")
	}
}
