package main

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Cue is one subtitle cue: [Start, End) in milliseconds, the line number of its timing line and
// its raw text lines.
type Cue struct {
	Start, End int64
	Line       int
	Text       []string
}

// Cell is one character to draw, with its style.
type Cell struct {
	CP           rune
	Bold, Italic bool
}

// SubtitleError is a parse error at a 1-based line of the subtitle file.
type SubtitleError struct {
	Line int
	Msg  string
}

func (e *SubtitleError) Error() string { return fmt.Sprintf("%d: %s", e.Line, e.Msg) }

func subErr(line int, format string, args ...any) error {
	return &SubtitleError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// Subtitles is a parsed subtitle file.
type Subtitles struct {
	VTT  bool
	Cues []Cue
}

func isBlank(s string) bool { return strings.Trim(s, " \t") == "" }

// ParseSubtitles parses an SRT or WebVTT file (the format is detected from the content).
func ParseSubtitles(data []byte) (*Subtitles, error) {
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		data = data[3:]
	}
	if !utf8.Valid(data) {
		bad := 0
		for bad < len(data) {
			r, size := utf8.DecodeRune(data[bad:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			bad += size
		}
		return nil, subErr(strings.Count(string(data[:bad]), "\n")+1, "invalid UTF-8")
	}
	text := string(data)
	lines := strings.Split(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	vtt := strings.HasPrefix(text, "WEBVTT") &&
		(len(text) == 6 || strings.ContainsRune(" \t\r\n", rune(text[6])))
	subs := &Subtitles{VTT: vtt}
	n := len(lines)
	i := 0
	if vtt {
		for i < n && !isBlank(lines[i]) {
			i++
		}
	}
	for i < n {
		if isBlank(lines[i]) {
			i++
			continue
		}
		first := lines[i]
		var t int
		if vtt {
			if isKeywordBlock(first) {
				for i < n && !isBlank(lines[i]) {
					i++
				}
				continue
			}
			t = i
			if !strings.Contains(first, "-->") {
				t = i + 1
				if t >= n || !strings.Contains(lines[t], "-->") {
					return nil, subErr(t+1, "expected a timing line after the cue identifier")
				}
			}
		} else {
			num := strings.Trim(first, " \t")
			for j := 0; j < len(num); j++ {
				if num[j] < '0' || num[j] > '9' {
					return nil, subErr(i+1, "expected a cue number, found \"%s\"", first)
				}
			}
			t = i + 1
		}
		line := ""
		if t < n {
			line = lines[t]
		}
		start, end, err := parseTiming(line, t+1, vtt)
		if err != nil {
			return nil, err
		}
		j := t + 1
		for j < n && !isBlank(lines[j]) {
			j++
		}
		subs.Cues = append(subs.Cues, Cue{Start: start, End: end, Line: t + 1, Text: lines[t+1 : j]})
		i = j
	}
	return subs, nil
}

func isKeywordBlock(line string) bool {
	for _, k := range []string{"NOTE", "STYLE", "REGION"} {
		if line == k || strings.HasPrefix(line, k+" ") || strings.HasPrefix(line, k+"\t") {
			return true
		}
	}
	return false
}

func parseTiming(line string, lineNo int, vtt bool) (int64, int64, error) {
	fields := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' })
	if len(fields) >= 3 && fields[1] == "-->" {
		start, ok1 := parseTimestamp(fields[0], vtt)
		end, ok2 := parseTimestamp(fields[2], vtt)
		if ok1 && ok2 {
			if end <= start {
				return 0, 0, subErr(lineNo, "cue ends before it starts")
			}
			return start, end, nil
		}
	}
	return 0, 0, subErr(lineNo, "bad timing line \"%s\"", line)
}

// parseTimestamp parses SRT `H:MM:SS,mmm` (`,` or `.`) or WebVTT `[H:]MM:SS.mmm`, H 1-4 digits.
func parseTimestamp(s string, vtt bool) (int64, bool) {
	digits := func(s string) (int64, bool) {
		var v int64
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
			v = v*10 + int64(s[i]-'0')
		}
		return v, true
	}
	// The last 10 bytes are MM:SS?mmm; what precedes is "H:" (optional in WebVTT).
	if len(s) < 9 {
		return 0, false
	}
	tail := s[len(s)-9:]
	head := s[:len(s)-9]
	if tail[2] != ':' || !(tail[5] == '.' || (!vtt && tail[5] == ',')) {
		return 0, false
	}
	var h int64
	if head != "" || !vtt {
		if len(head) < 2 || len(head) > 5 || head[len(head)-1] != ':' {
			return 0, false
		}
		var ok bool
		if h, ok = digits(head[:len(head)-1]); !ok {
			return 0, false
		}
	}
	m, ok1 := digits(tail[0:2])
	sec, ok2 := digits(tail[3:5])
	ms, ok3 := digits(tail[6:9])
	if !ok1 || !ok2 || !ok3 || m > 59 || sec > 59 {
		return 0, false
	}
	return ((h*60+m)*60+sec)*1000 + ms, true
}

var entities = []struct{ name, repl string }{
	{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&nbsp;", "\u00a0"},
	{"&lrm;", ""}, {"&rlm;", ""},
}

// Cells turns a cue's text lines into styled cells: tags applied or removed, WebVTT entities
// decoded, tabs made spaces, spaces trimmed at both ends of each line.
func Cells(c *Cue, vtt bool) [][]Cell {
	var bold, italic bool
	out := make([][]Cell, 0, len(c.Text))
	for _, line := range c.Text {
		var cs []Cell
		for pos := 0; pos < len(line); {
			ch := line[pos]
			if ch == '<' {
				if end := strings.IndexByte(line[pos+1:], '>'); end >= 0 {
					switch asciiLower(line[pos+1 : pos+1+end]) {
					case "b":
						bold = true
					case "/b":
						bold = false
					case "i":
						italic = true
					case "/i":
						italic = false
					}
					pos += end + 2
					continue
				}
			}
			if vtt && ch == '&' {
				matched := false
				for _, e := range entities {
					if strings.HasPrefix(line[pos:], e.name) {
						for _, r := range e.repl {
							cs = append(cs, Cell{r, bold, italic})
						}
						pos += len(e.name)
						matched = true
						break
					}
				}
				if matched {
					continue
				}
			}
			r, size := utf8.DecodeRuneInString(line[pos:])
			if r == '\t' {
				r = ' '
			}
			cs = append(cs, Cell{r, bold, italic})
			pos += size
		}
		a, b := 0, len(cs)
		for a < b && cs[a].CP == ' ' {
			a++
		}
		for b > a && cs[b-1].CP == ' ' {
			b--
		}
		out = append(out, cs[a:b])
	}
	return out
}

// Dump is the canonical text form of parsed cues (the unit tests' .expected files).
func Dump(s *Subtitles) string {
	var b strings.Builder
	for i := range s.Cues {
		c := &s.Cues[i]
		lines := Cells(c, s.VTT)
		fmt.Fprintf(&b, "cue %d %d line %d lines %d\n", c.Start, c.End, c.Line, len(lines))
		for _, cs := range lines {
			b.WriteByte('|')
			var bold, italic bool
			for _, cell := range cs {
				if cell.Bold != bold || cell.Italic != italic {
					b.WriteByte('{')
					if cell.Bold {
						b.WriteByte('b')
					}
					if cell.Italic {
						b.WriteByte('i')
					}
					b.WriteByte('}')
					bold, italic = cell.Bold, cell.Italic
				}
				if cell.CP == '{' {
					b.WriteString("{{")
				} else {
					b.WriteRune(cell.CP)
				}
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// asciiLower lower-cases ASCII letters only (tags are compared without ASCII case).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}
