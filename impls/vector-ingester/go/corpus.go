package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"unicode/utf8"
)

// document is one document being visited.
type document struct {
	path    string    // its path in the corpus, as stored in the database
	subject string    // how errors name it: its file-system path, or "archive: entry"
	r       io.Reader // its bytes
}

// corpus is an opened directory (sorted relative paths) or ustar archive (archive order).
type corpus struct {
	root  string
	paths []string // directory corpus
	tar   *os.File // archive corpus
}

func openCorpus(path string) (*corpus, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, &Error{path, reason(err)}
	}
	if st.IsDir() {
		c := &corpus{root: path}
		if err := listDir(path, "", &c.paths); err != nil {
			return nil, err
		}
		sort.Strings(c.paths) // byte order
		return c, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{path, reason(err)}
	}
	return &corpus{root: path, tar: f}, nil
}

func (c *corpus) close() {
	if c.tar != nil {
		c.tar.Close()
	}
}

// listDir appends the relative paths of the documents below dir (unsorted).
func listDir(dir, prefix string, out *[]string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return &Error{dir, reason(err)}
	}
	for _, e := range entries {
		name := e.Name()
		full := filepath.Join(dir, name)
		if !utf8.ValidString(name) {
			return &Error{full, "file name is not valid UTF-8"}
		}
		rel := name
		if prefix != "" {
			rel = prefix + "/" + name
		}
		switch t := e.Type(); {
		case t.IsDir():
			if err := listDir(full, rel, out); err != nil {
				return err
			}
		case t.IsRegular(), t&os.ModeSymlink != 0:
			*out = append(*out, rel)
		}
	}
	return nil
}

// forEach calls f for every document, in order, stopping at the first error.
func (c *corpus) forEach(f func(d document) error) error {
	if c.tar != nil {
		return readTar(c.tar, c.root, f)
	}
	for _, rel := range c.paths {
		full := filepath.Join(c.root, filepath.FromSlash(rel))
		file, err := os.Open(full)
		if err != nil {
			return &Error{full, reason(err)}
		}
		err = f(document{path: rel, subject: full, r: file})
		file.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

var errTruncated = errors.New("truncated archive")

// entryReader reads exactly left bytes of the archive and reports a truncated archive if the
// file ends early.
type entryReader struct {
	f    *os.File
	left int64
}

func (r *entryReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.f.Read(p)
	r.left -= int64(n)
	if n == 0 && err == io.EOF {
		return 0, errTruncated
	}
	if err == io.EOF {
		err = nil
	}
	return n, err
}

// octal parses a header field: optional leading spaces, octal digits, then NUL/space padding.
func octal(field []byte) (int64, bool) {
	i := 0
	for i < len(field) && field[i] == ' ' {
		i++
	}
	var v int64
	digits := 0
	for ; i < len(field) && field[i] >= '0' && field[i] <= '7'; i++ {
		if v > (1<<62)/8 {
			return 0, false
		}
		v = v*8 + int64(field[i]-'0')
		digits++
	}
	if digits == 0 {
		return 0, false
	}
	for ; i < len(field); i++ {
		if field[i] != 0 && field[i] != ' ' {
			return 0, false
		}
	}
	return v, true
}

func cstr(field []byte) []byte {
	if i := bytes.IndexByte(field, 0); i >= 0 {
		return field[:i]
	}
	return field
}

func readTar(f *os.File, archive string, fn func(d document) error) error {
	var block [512]byte
	for {
		n, err := io.ReadFull(f, block[:])
		if n == 0 && err == io.EOF {
			return nil
		}
		if err == io.ErrUnexpectedEOF {
			return &Error{archive, errTruncated.Error()}
		}
		if err != nil {
			return &Error{archive, reason(err)}
		}
		if block == [512]byte{} {
			return nil
		}
		stored, ok := octal(block[148:156])
		var sum int64
		for i, b := range block {
			if i >= 148 && i < 156 {
				b = ' '
			}
			sum += int64(b)
		}
		if !ok || stored != sum {
			return &Error{archive, "bad header checksum"}
		}
		size, ok := octal(block[124:136])
		if !ok {
			return &Error{archive, "bad size field in header"}
		}
		name := append([]byte(nil), cstr(block[:100])...)
		if string(block[257:263]) == "ustar\x00" {
			if prefix := cstr(block[345:500]); len(prefix) > 0 {
				name = append(append(append([]byte(nil), prefix...), '/'), name...)
			}
		}
		if !utf8.Valid(name) {
			return &Error{archive, "entry name is not valid UTF-8"}
		}
		subject := archive + ": " + string(name)
		entry := &entryReader{f: f, left: size}
		if t := block[156]; t == '0' || t == 0 || t == '7' {
			if err := fn(document{path: string(name), subject: subject, r: entry}); err != nil {
				return err
			}
		}
		// Skip what the document did not read (nothing, normally) and the padding.
		skip := &entryReader{f: f, left: entry.left + (512-size%512)%512}
		if _, err := io.Copy(io.Discard, skip); err != nil {
			return &Error{subject, reason(err)}
		}
	}
}
