package main

// The shared cases of ../testdata (made by model.py): UTF-8 repair, embeddings, the chunk and
// vector listing of the test corpus for two chunk sizes, and the same through the database.

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func testdata(name string) string { return filepath.Join("..", "testdata", name) }

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(testdata(name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func unhex(t *testing.T, s string) []byte {
	if s == "-" {
		return nil
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func cases(t *testing.T, name string) [][]string {
	var out [][]string
	for _, l := range strings.Split(strings.TrimRight(readFile(t, name), "\n"), "\n") {
		if !strings.HasPrefix(l, "#") {
			out = append(out, strings.Split(l, " "))
		}
	}
	return out
}

func blobOf(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func TestUTF8RepairMatchesTheModelWholeAndSplitAnywhere(t *testing.T) {
	for _, c := range cases(t, "utf8.txt") {
		in, want := unhex(t, c[0]), unhex(t, c[1])
		wantN, _ := strconv.Atoi(c[2])
		for cut := 0; cut <= len(in); cut++ {
			out, used, n1 := decodeUTF8(in[:cut], false, nil)
			rest := append(append([]byte(nil), in[used:cut]...), in[cut:]...)
			out, all, n2 := decodeUTF8(rest, true, out)
			if all != len(rest) || string(out) != string(want) || n1+n2 != wantN {
				t.Fatalf("input %s cut %d: got %x (%d), want %x (%d)", c[0], cut, out, n1+n2, want, wantN)
			}
		}
	}
}

func TestEmbeddingsMatchTheModel(t *testing.T) {
	e := &HashEmbedder{}
	v := make([]float32, dims)
	for _, c := range cases(t, "embed.txt") {
		text := unhex(t, c[0])
		var nz []string
		var c3 [dims]int32
		counts(text, &c3)
		for i, x := range c3 {
			if x != 0 {
				nz = append(nz, fmt.Sprintf("%d:%d", i, x))
			}
		}
		got := strings.Join(nz, ",")
		if got == "" {
			got = "-"
		}
		if got != c[2] {
			t.Errorf("counts of %q: %s, want %s", text, got, c[2])
		}
		e.Embed(text, v)
		if h := fmt.Sprintf("%016x", fnv1a(fnvOffset, blobOf(v))); h != c[1] {
			t.Errorf("vector of %q: fnv %s, want %s", text, h, c[1])
		}
	}
}

func TestFNVAndOneWord(t *testing.T) {
	for in, want := range map[string]uint64{"": 0xcbf29ce484222325, "a": 0xaf63dc4c8601ec8c,
		"foobar": 0x85944171f73967e8} {
		if got := fnv1a(fnvOffset, []byte(in)); got != want {
			t.Errorf("fnv1a(%q) = %x", in, got)
		}
	}
	e := &HashEmbedder{}
	v := make([]float32, dims)
	e.Embed([]byte("a A a"), v)
	h := fnv1a(fnvOffset, []byte("wa"))
	sign := float32(1)
	if (h>>31)&1 == 1 {
		sign = -1
	}
	for i, x := range v {
		want := float32(0)
		if uint64(i) == (h>>32)%dims {
			want = sign
		}
		if x != want {
			t.Fatalf("v[%d] = %v, want %v", i, x, want)
		}
	}
}

func TestChunkRules(t *testing.T) {
	p := func(size, overlap int) chunkParams {
		c, err := newChunkParams(size, overlap)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if _, err := newChunkParams(64, 32); err == nil {
		t.Error("overlap of half the size accepted")
	}
	for _, c := range []struct {
		text string
		want int
	}{
		{"aaaa aaaa\n\nbbb. ccc dddddddddddd", 11}, // paragraph beats a later sentence end
		{"aaaa aaa. bb cc ddddddddd", 10},          // sentence beats a later space
		{"aaaa aaa\nbb cc dddddddddd", 9},          // a line end is a sentence boundary
		{"aaaa aaaa bb cc dddddddd", 16},           // the largest space
		{"abcdefghijklmnoกขค", 15},                 // code point
		{"aaaaaaa\r\n\r\nbbbbbbbbbbbbbb", 11},      // CRLF paragraph
	} {
		if got := chunkEnd([]byte(c.text), p(16, 4)); got != c.want {
			t.Errorf("chunkEnd(%q) = %d, want %d", c.text, got, c.want)
		}
	}
	if got := nextStart([]byte("aaaa bbbb cccc dddd"), 15, p(16, 7)); got != 10 {
		t.Errorf("word start: %d", got)
	}
	if got := nextStart([]byte("กขคงจฉชซฌญฎฏ"), 15, p(16, 5)); got != 12 {
		t.Errorf("code point start: %d", got)
	}
}

// dribble hands out at most step bytes per read, to move every read boundary.
type dribble struct {
	r    io.Reader
	step int
}

func (d *dribble) Read(p []byte) (int, error) {
	if len(p) > d.step {
		p = p[:d.step]
	}
	return d.r.Read(p)
}

// listing is the expected-<size>-<overlap>.txt format, computed without the database.
func listing(t *testing.T, corpusPath string, p chunkParams, step int) string {
	var out strings.Builder
	e := &HashEmbedder{}
	v := make([]float32, dims)
	bufs := newBuffers()
	var docID, chunkID int64
	c, err := openCorpus(corpusPath)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	err = c.forEach(func(d document) error {
		docID++
		seq := 0
		st, err := processDocument(&dribble{d.r, step}, d.subject, p, bufs, func(start int64, text []byte) error {
			chunkID++
			e.Embed(text, v)
			fmt.Fprintf(&out, "chunk %d %d %d %d %d %016x %016x\n", chunkID, docID, seq, start, len(text),
				fnv1a(fnvOffset, text), fnv1a(fnvOffset, blobOf(v)))
			seq++
			return nil
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(&out, "doc %d %s bytes=%d text_bytes=%d chunks=%d replaced=%d\n", docID, d.path,
			st.bytes, st.textBytes, st.chunks, st.replaced)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestChunkListingMatchesTheModel(t *testing.T) {
	for _, sz := range [][2]int{{1024, 128}, {64, 16}} {
		want := readFile(t, fmt.Sprintf("expected-%d-%d.txt", sz[0], sz[1]))
		p, _ := newChunkParams(sz[0], sz[1])
		for _, corpus := range []string{"corpus", "corpus.tar"} {
			for _, step := range []int{1 << 20, 7, 1} {
				if got := listing(t, testdata(corpus), p, step); got != want {
					t.Errorf("%s %v step %d:\n%s", corpus, sz, step, got)
				}
			}
		}
	}
}

// query returns the rows of sql as strings (ints formatted, text and blobs as fnv1a hex).
func query(t *testing.T, db, sql string) [][]string {
	t.Helper()
	c, err := openConn(db)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	s, err := c.prepare(sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer s.finalize()
	var rows [][]string
	for {
		ok, err := s.next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return rows
		}
		var row []string
		for i := 0; i < int(colCount(s)); i++ {
			row = append(row, colString(s, i))
		}
		rows = append(rows, row)
	}
}

func dbListing(t *testing.T, db string) string {
	var out strings.Builder
	for _, d := range query(t, db, "SELECT id, path, bytes, text_bytes, chunks, replaced FROM documents ORDER BY id") {
		for _, c := range query(t, db, "SELECT c.id, c.doc_id, c.seq, c.start, length(CAST(c.text AS BLOB)), "+
			"c.text, v.embedding FROM chunks c JOIN vectors v ON v.chunk_id = c.id WHERE c.doc_id = "+d[0]+" ORDER BY c.id") {
			fmt.Fprintf(&out, "chunk %s %s %s %s %s %s %s\n", c[0], c[1], c[2], c[3], c[4], c[5], c[6])
		}
		fmt.Fprintf(&out, "doc %s %s bytes=%s text_bytes=%s chunks=%s replaced=%s\n", d[0], d[1], d[2], d[3], d[4], d[5])
	}
	return out.String()
}

func TestDatabaseMatchesTheModelForADirectoryAndAnArchive(t *testing.T) {
	dir := t.TempDir()
	for _, corpus := range []string{"corpus", "corpus.tar"} {
		db := filepath.Join(dir, corpus+".db")
		sum, err := ingest(testdata(corpus), db, defaultConfig(), &HashEmbedder{})
		if err != nil {
			t.Fatal(err)
		}
		if got := sum.JSON() + "\n"; got != readFile(t, "expected-summary.txt") {
			t.Errorf("summary %s", got)
		}
		if got := dbListing(t, db); got != readFile(t, "expected-1024-128.txt") {
			t.Errorf("%s: database listing:\n%s", corpus, got)
		}
		meta := query(t, db, "SELECT key || '=' || value FROM meta ORDER BY key")
		want := "[[chunk_size=1024] [dims=384] [embedder=fnv1a-hash-384/1] [format=vector-ingester/1] [overlap=128] [status=complete]]"
		if fmt.Sprint(meta) != want {
			t.Errorf("meta %v", meta)
		}
		if m := query(t, db, "PRAGMA journal_mode"); m[0][0] != "delete" {
			t.Errorf("journal_mode %v", m)
		}
		if _, err := os.Stat(db + "-wal"); err == nil {
			t.Error("-wal file left")
		}
	}
}
