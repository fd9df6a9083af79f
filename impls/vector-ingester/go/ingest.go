package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

const (
	chunkSize = 1024
	overlap   = 128
	batchSize = 1000
	block     = 64 * 1024
	// the text window is shifted to the front once this much of it lies before the chunk start
	compactAt = block
)

// Error is a failure, printed as "vector-ingester: <Subject>: <Reason>".
type Error struct {
	Subject, Reason string
}

func (e *Error) Error() string { return e.Subject + ": " + e.Reason }

// reason is the message of err without the path that os errors repeat.
func reason(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Config is everything a run can vary; the program uses defaultConfig(), tests shrink it.
type Config struct {
	Chunk    chunkParams
	Batch    int
	MaxPages int64 // PRAGMA max_page_count when > 0 (the tests' full disk)
}

func defaultConfig() Config {
	return Config{Chunk: chunkParams{size: chunkSize, overlap: overlap}, Batch: batchSize}
}

// Summary is the totals of a run.
type Summary struct {
	Documents, Empty, Chunks, Bytes, TextBytes, Replaced int64
}

func (s Summary) JSON() string {
	return fmt.Sprintf(`{"documents":%d,"empty":%d,"chunks":%d,"bytes":%d,"text_bytes":%d,"replaced":%d}`,
		s.Documents, s.Empty, s.Chunks, s.Bytes, s.TextBytes, s.Replaced)
}

type docStats struct {
	bytes, textBytes, chunks, replaced int64
}

// buffers are the reusable buffers of the document reader.
type buffers struct {
	raw  []byte
	text []byte
}

func newBuffers() *buffers {
	return &buffers{raw: make([]byte, block+4), text: make([]byte, 0, 4*block)}
}

// processDocument streams one document: onChunk(start, text) for every chunk in order. text is
// only valid during the call.
func processDocument(r io.Reader, subject string, p chunkParams, b *buffers,
	onChunk func(start int64, text []byte) error) (docStats, error) {
	var st docStats
	text := b.text[:0]
	carry := 0 // bytes of an incomplete UTF-8 sequence kept at raw[:carry]
	eof := false
	var base int64 // offset of text[0] in the document's text
	s := 0         // chunk start in text
	defer func() { b.text = text[:0] }()
	for {
		for !eof && len(text)-s <= p.size {
			n, err := r.Read(b.raw[carry : carry+block])
			if err != nil && err != io.EOF {
				return st, &Error{subject, reason(err)}
			}
			if n == 0 && err == nil {
				continue
			}
			st.bytes += int64(n)
			eof = n == 0
			var used, rep int
			text, used, rep = decodeUTF8(b.raw[:carry+n], eof, text)
			st.replaced += int64(rep)
			carry = copy(b.raw, b.raw[used:carry+n])
		}
		window := text[s:]
		if len(window) == 0 {
			break
		}
		if eof && len(window) <= p.size {
			if err := onChunk(base+int64(s), window); err != nil {
				return st, err
			}
			st.chunks++
			break
		}
		e := chunkEnd(window, p)
		if err := onChunk(base+int64(s), window[:e]); err != nil {
			return st, err
		}
		st.chunks++
		s += nextStart(window, e, p)
		if s >= compactAt {
			n := copy(text, text[s:])
			text = text[:n]
			base += int64(s)
			s = 0
		}
	}
	st.textBytes = base + int64(len(text))
	return st, nil
}

// ingest reads corpusPath into the database at dbPath (see the spec for the order of things).
func ingest(corpusPath, dbPath string, cfg Config, emb Embedder) (Summary, error) {
	var sum Summary
	docs, err := openCorpus(corpusPath)
	if err != nil {
		return sum, err
	}
	defer docs.close()
	s, err := openStore(dbPath, cfg)
	if err != nil {
		return sum, err
	}
	err = func() error {
		if err := s.begin(cfg, emb.Name(), emb.Dims()); err != nil {
			return err
		}
		bufs := newBuffers()
		vec := make([]float32, emb.Dims())
		var chunkID int64
		err := docs.forEach(func(d document) error {
			docID := sum.Documents + 1
			var seq int64
			st, err := processDocument(d.r, d.subject, cfg.Chunk, bufs, func(start int64, text []byte) error {
				chunkID++
				emb.Embed(text, vec)
				if err := s.addChunk(chunkID, docID, seq, start, text, vec); err != nil {
					return err
				}
				seq++
				return nil
			})
			if err != nil {
				return err
			}
			if err := s.addDocument(docID, d.path, st); err != nil {
				return err
			}
			sum.Documents++
			if st.bytes == 0 {
				sum.Empty++
			}
			sum.Chunks += st.chunks
			sum.Bytes += st.bytes
			sum.TextBytes += st.textBytes
			sum.Replaced += st.replaced
			return nil
		})
		if err != nil {
			return err
		}
		return s.finish()
	}()
	if err != nil {
		if s.c != nil {
			s.abort()
		}
		return Summary{}, err
	}
	return sum, nil
}
