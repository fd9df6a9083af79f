package main

// A thin cgo layer over the system libsqlite3: open/exec/prepare/step, binding, columns. Each
// call that does real work (inserting one chunk and its vector) is one cgo crossing.

/*
#cgo pkg-config: sqlite3
#include <sqlite3.h>
#include <stdlib.h>

static int vi_bind_text(sqlite3_stmt *s, int i, const char *p, int n) {
	return sqlite3_bind_text(s, i, p, n, SQLITE_TRANSIENT);
}

static int vi_bind_blob(sqlite3_stmt *s, int i, const void *p, int n) {
	return sqlite3_bind_blob(s, i, p, n, SQLITE_TRANSIENT);
}

// Steps a fully bound INSERT and resets it: SQLITE_OK or the error code.
static int vi_done(sqlite3_stmt *s) {
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

// The chunk row and the vector row of one chunk, in one crossing.
static int vi_insert_chunk(sqlite3_stmt *c, sqlite3_stmt *v, sqlite3_int64 id, sqlite3_int64 doc,
		sqlite3_int64 seq, sqlite3_int64 start, const char *text, int n, const void *vec, int vn) {
	int rc;
	sqlite3_bind_int64(c, 1, id);
	sqlite3_bind_int64(c, 2, doc);
	sqlite3_bind_int64(c, 3, seq);
	sqlite3_bind_int64(c, 4, start);
	if ((rc = vi_bind_text(c, 5, text, n)) != SQLITE_OK) return rc;
	if ((rc = vi_done(c)) != SQLITE_OK) return rc;
	sqlite3_bind_int64(v, 1, id);
	if ((rc = vi_bind_blob(v, 2, vec, vn)) != SQLITE_OK) return rc;
	return vi_done(v);
}
*/
import "C"

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"
)

// conn is an open database connection.
type conn struct {
	db *C.sqlite3
}

func openConn(path string) (*conn, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var db *C.sqlite3
	rc := C.sqlite3_open_v2(cpath, &db, C.SQLITE_OPEN_READWRITE|C.SQLITE_OPEN_CREATE, nil)
	if rc != C.SQLITE_OK {
		msg := C.GoString(C.sqlite3_errstr(rc))
		if db != nil {
			msg = C.GoString(C.sqlite3_errmsg(db))
			C.sqlite3_close(db)
		}
		return nil, errors.New(msg)
	}
	return &conn{db: db}, nil
}

func (c *conn) errmsg() error {
	return errors.New(C.GoString(C.sqlite3_errmsg(c.db)))
}

// exec runs SQL without parameters (several statements allowed; result rows are ignored).
func (c *conn) exec(sql string) error {
	csql := C.CString(sql)
	defer C.free(unsafe.Pointer(csql))
	var msg *C.char
	if C.sqlite3_exec(c.db, csql, nil, nil, &msg) != C.SQLITE_OK {
		err := errors.New(C.GoString(msg))
		C.sqlite3_free(unsafe.Pointer(msg))
		return err
	}
	return nil
}

func (c *conn) autocommit() bool {
	return C.sqlite3_get_autocommit(c.db) != 0
}

func (c *conn) close() error {
	if C.sqlite3_close(c.db) != C.SQLITE_OK {
		return c.errmsg()
	}
	return nil
}

// stmt is a prepared statement.
type stmt struct {
	c *conn
	s *C.sqlite3_stmt
}

func (c *conn) prepare(sql string) (*stmt, error) {
	csql := C.CString(sql)
	defer C.free(unsafe.Pointer(csql))
	var s *C.sqlite3_stmt
	if C.sqlite3_prepare_v2(c.db, csql, -1, &s, nil) != C.SQLITE_OK {
		return nil, c.errmsg()
	}
	return &stmt{c: c, s: s}, nil
}

func (s *stmt) finalize() {
	C.sqlite3_finalize(s.s)
}

func (s *stmt) bindInt(i int, v int64) {
	C.sqlite3_bind_int64(s.s, C.int(i), C.sqlite3_int64(v))
}

// nul gives a valid pointer for an empty text (a nil pointer would bind NULL).
var nul = []byte{0}

func (s *stmt) bindText(i int, v string) error {
	p := (*C.char)(unsafe.Pointer(&nul[0]))
	if len(v) > 0 {
		p = (*C.char)(unsafe.Pointer(unsafe.StringData(v)))
	}
	if C.vi_bind_text(s.s, C.int(i), p, C.int(len(v))) != C.SQLITE_OK {
		return s.c.errmsg()
	}
	return nil
}

// done steps an INSERT (or other statement without rows) and resets it.
func (s *stmt) done() error {
	if C.vi_done(s.s) != C.SQLITE_OK {
		return s.c.errmsg()
	}
	return nil
}

// next steps a query: true with a row, false at the end.
func (s *stmt) next() (bool, error) {
	switch C.sqlite3_step(s.s) {
	case C.SQLITE_ROW:
		return true, nil
	case C.SQLITE_DONE:
		return false, nil
	}
	return false, s.c.errmsg()
}

func (s *stmt) reset() {
	C.sqlite3_reset(s.s)
}

func (s *stmt) colInt(i int) int64 {
	return int64(C.sqlite3_column_int64(s.s, C.int(i)))
}

func (s *stmt) colBytes(i int) []byte {
	p := C.sqlite3_column_blob(s.s, C.int(i))
	n := C.sqlite3_column_bytes(s.s, C.int(i))
	return C.GoBytes(p, n)
}

// insertChunk binds and steps the chunk and vector inserts in one cgo call.
func insertChunk(chunk, vector *stmt, id, doc, seq, start int64, text, blob []byte) error {
	rc := C.vi_insert_chunk(chunk.s, vector.s, C.sqlite3_int64(id), C.sqlite3_int64(doc),
		C.sqlite3_int64(seq), C.sqlite3_int64(start),
		(*C.char)(unsafe.Pointer(&text[0])), C.int(len(text)),
		unsafe.Pointer(&blob[0]), C.int(len(blob)))
	if rc != C.SQLITE_OK {
		return chunk.c.errmsg()
	}
	return nil
}

func colCount(s *stmt) int { return int(C.sqlite3_column_count(s.s)) }

// colString renders a column for the tests: integers in decimal, text as-is, blobs (and text
// read as blobs by the caller) as their FNV-1a 64 in hex.
func colString(s *stmt, i int) string {
	switch C.sqlite3_column_type(s.s, C.int(i)) {
	case C.SQLITE_INTEGER:
		return fmt.Sprint(s.colInt(i))
	case C.SQLITE_BLOB:
		return fmt.Sprintf("%016x", fnv1a(fnvOffset, s.colBytes(i)))
	case C.SQLITE_NULL:
		return "NULL"
	}
	b := s.colBytes(i)
	if strings.HasPrefix(C.GoString(C.sqlite3_column_name(s.s, C.int(i))), "text") {
		return fmt.Sprintf("%016x", fnv1a(fnvOffset, b))
	}
	return string(b)
}
