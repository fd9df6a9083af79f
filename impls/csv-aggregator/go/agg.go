package main

// The streaming CSV parser and the GROUP BY aggregation (spec: ../README.md).

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
)

// BufferSize is the initial read buffer; it doubles only for a record longer than the buffer.
const BufferSize = 1 << 20

const (
	kindIgnore = iota
	kindRegion
	kindProduct
	kindQty
	kindPrice
)

var columnNames = [...]string{"region", "product", "qty", "unit_price"}

// special marks the bytes that end an unquoted field's run: , CR LF and ".
var special = func() (t [256]bool) {
	t[','], t['\r'], t['\n'], t['"'] = true, true, true, true
	return
}()

// ParseError is a malformed-input error at record Record, which starts on line Line.
type ParseError struct {
	Record, Line uint64
	Reason       string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("record %d (line %d): %s", e.Record, e.Line, e.Reason)
}

// ReadError wraps an error of the underlying reader.
type ReadError struct{ Err error }

func (e *ReadError) Error() string { return e.Err.Error() }

// Group holds the aggregate of one (region, product) pair.
type Group struct {
	Region, Product string
	Count           uint64
	SumQty, Revenue int64
	MinPrice        int64
	MaxPrice        int64
}

// Result is the outcome of a successful aggregation.
type Result struct {
	Bytes, Records uint64
	Groups         []Group // sorted by region, then product
}

type aggregator struct {
	inHeader bool
	nfields  int
	kinds    []uint8
	seen     [4]bool
	kindAt   [4]int
	record   uint64 // number of the record being parsed (1 = header)
	line     uint64 // line on which it starts
	index    map[string]int32
	groups   []Group
	key      []byte // scratch: encoded group key
	unesc    [2][]byte
}

// Aggregate reads r to the end in BufferSize chunks and returns the sorted groups.
func Aggregate(r io.Reader) (*Result, error) {
	return AggregateWith(r, BufferSize)
}

// AggregateWith is Aggregate with an initial buffer of size bytes (the tests use tiny ones).
func AggregateWith(r io.Reader, size int) (*Result, error) {
	a := &aggregator{inHeader: true, record: 1, line: 1, index: make(map[string]int32)}
	buf := make([]byte, size)
	filled := 0
	eof := false
	var total uint64
	for {
		for filled < len(buf) && !eof {
			n, err := r.Read(buf[filled:])
			filled += n
			total += uint64(n)
			if err == io.EOF {
				eof = true
			} else if err != nil {
				return nil, &ReadError{err}
			}
		}
		consumed, err := a.parse(buf[:filled], eof)
		if err != nil {
			return nil, err
		}
		if eof {
			break
		}
		copy(buf, buf[consumed:filled])
		filled -= consumed
		if filled == len(buf) {
			bigger := make([]byte, 2*len(buf))
			copy(bigger, buf)
			buf = bigger
		}
	}
	if a.inHeader {
		return nil, &ParseError{1, 1, "empty input"}
	}
	sort.Slice(a.groups, func(i, j int) bool {
		gi, gj := &a.groups[i], &a.groups[j]
		if gi.Region != gj.Region {
			return gi.Region < gj.Region
		}
		return gi.Product < gj.Product
	})
	return &Result{Bytes: total, Records: a.record - 2, Groups: a.groups}, nil
}

func (a *aggregator) fail(reason string) error {
	return &ParseError{a.record, a.line, reason}
}

// parse handles every complete record of buf and returns the offset of the first byte it did
// not consume (the start of an unfinished record). With eof, buf ends at end-of-file.
func (a *aggregator) parse(buf []byte, eof bool) (int, error) {
	n := len(buf)
	pos := 0
	for pos < n {
		start := pos
		if !a.inHeader {
			// Fast path: a complete line without " or CR is one record whose fields end at
			// commas (most records). The others take the byte-at-a-time state machine below.
			if i := bytes.IndexByte(buf[pos:], '\n'); i >= 0 {
				line := buf[pos : pos+i]
				if bytes.IndexByte(line, '"') < 0 && bytes.IndexByte(line, '\r') < 0 {
					if err := a.plainRecord(line); err != nil {
						return 0, err
					}
					pos += i + 1
					a.record++
					a.line++
					continue
				}
			}
		}
		if a.inHeader {
			// The header may be parsed again after a read: start it afresh.
			a.kinds, a.seen = a.kinds[:0], [4]bool{}
		}
		field := 0
		var nl uint64 // LF bytes inside quoted fields of this record
		var region, product []byte
		var regionEsc, productEsc bool
		var qty, price int64
	fields:
		for {
			// One field: [vs, ve) is its raw value, esc tells if it holds "" pairs.
			var vs, ve int
			esc := false
			var term int // 0 comma, 1 LF, 2 CR LF, 3 end of file
			if pos < n && buf[pos] == '"' {
				pos++
				vs = pos
				for {
					if pos >= n {
						if eof {
							return 0, a.fail("unterminated quoted field")
						}
						return start, nil
					}
					c := buf[pos]
					if c == '"' {
						if pos+1 >= n && !eof {
							return start, nil
						}
						if pos+1 < n && buf[pos+1] == '"' {
							esc = true
							pos += 2
							continue
						}
						ve = pos
						pos++
						break
					}
					if c == '\n' {
						nl++
					}
					pos++
				}
				if pos >= n {
					if !eof {
						return start, nil
					}
					term = 3
				} else {
					switch buf[pos] {
					case ',':
						term = 0
					case '\n':
						term = 1
					case '\r':
						if pos+1 >= n && !eof {
							return start, nil
						}
						if pos+1 < n && buf[pos+1] == '\n' {
							term = 2
						} else {
							return 0, a.fail("unexpected character after closing quote")
						}
					default:
						return 0, a.fail("unexpected character after closing quote")
					}
				}
			} else {
				vs = pos
				for pos < n && !special[buf[pos]] {
					pos++
				}
				ve = pos
				if pos >= n {
					if !eof {
						return start, nil
					}
					term = 3
				} else {
					switch buf[pos] {
					case ',':
						term = 0
					case '\n':
						term = 1
					case '"':
						return 0, a.fail("quote in unquoted field")
					default: // CR
						if pos+1 >= n && !eof {
							return start, nil
						}
						if pos+1 < n && buf[pos+1] == '\n' {
							term = 2
						} else {
							return 0, a.fail("bare CR outside quotes")
						}
					}
				}
			}
			value := buf[vs:ve]
			if a.inHeader {
				if err := a.headerField(value, esc); err != nil {
					return 0, err
				}
			} else if field < a.nfields {
				switch a.kinds[field] {
				case kindRegion:
					region, regionEsc = value, esc
				case kindProduct:
					product, productEsc = value, esc
				case kindQty:
					v, ok := parseQty(value)
					if !ok {
						return 0, a.fail("invalid qty")
					}
					qty = v
				case kindPrice:
					v, ok := parsePrice(value)
					if !ok {
						return 0, a.fail("invalid unit_price")
					}
					price = v
				}
			}
			field++
			switch term {
			case 0:
				if !a.inHeader && field == a.nfields {
					return 0, a.fail(fmt.Sprintf("too many fields (expected %d)", a.nfields))
				}
				pos++ // a comma as the last byte of the file is followed by one empty field
			case 1:
				pos++
				nl++
				break fields
			case 2:
				pos += 2
				nl++
				break fields
			default:
				break fields
			}
		}
		if a.inHeader {
			if err := a.endHeader(field); err != nil {
				return 0, err
			}
		} else {
			if field < a.nfields {
				return 0, a.fail(fmt.Sprintf("too few fields (expected %d, found %d)", a.nfields, field))
			}
			if regionEsc {
				region = unescape(a.unesc[0][:0], region)
				a.unesc[0] = region
			}
			if productEsc {
				product = unescape(a.unesc[1][:0], product)
				a.unesc[1] = product
			}
			if err := a.add(region, product, qty, price); err != nil {
				return 0, err
			}
		}
		a.record++
		a.line += nl
	}
	return pos, nil
}

// plainRecord handles one data record without quotes or CR: line is the record without its LF.
// Its problems are found in the same order as by the state machine in parse.
func (a *aggregator) plainRecord(line []byte) error {
	var region, product []byte
	var qty, price int64
	field := 0
	for {
		i := bytes.IndexByte(line, ',')
		value := line
		if i >= 0 {
			value = line[:i]
		}
		switch a.kinds[field] {
		case kindRegion:
			region = value
		case kindProduct:
			product = value
		case kindQty:
			v, ok := parseQty(value)
			if !ok {
				return a.fail("invalid qty")
			}
			qty = v
		case kindPrice:
			v, ok := parsePrice(value)
			if !ok {
				return a.fail("invalid unit_price")
			}
			price = v
		}
		field++
		if i < 0 {
			break
		}
		if field == a.nfields {
			return a.fail(fmt.Sprintf("too many fields (expected %d)", a.nfields))
		}
		line = line[i+1:]
	}
	if field < a.nfields {
		return a.fail(fmt.Sprintf("too few fields (expected %d, found %d)", a.nfields, field))
	}
	return a.add(region, product, qty, price)
}

// add folds one data record into its group.
func (a *aggregator) add(region, product []byte, qty, price int64) error {
	key := binary.LittleEndian.AppendUint32(a.key[:0], uint32(len(region)))
	key = append(key, region...)
	key = append(key, product...)
	a.key = key
	idx, ok := a.index[string(key)]
	if !ok {
		idx = int32(len(a.groups))
		a.index[string(key)] = idx
		a.groups = append(a.groups, Group{Region: string(region), Product: string(product),
			MinPrice: math.MaxInt64, MaxPrice: math.MinInt64})
	}
	g := &a.groups[idx]
	s := g.SumQty + qty
	if (g.SumQty^s)&(qty^s) < 0 {
		return a.fail("qty sum overflows int64")
	}
	r := qty * price
	t := g.Revenue + r
	if (g.Revenue^t)&(r^t) < 0 {
		return a.fail("revenue sum overflows int64")
	}
	g.Count++
	g.SumQty = s
	g.Revenue = t
	if price < g.MinPrice {
		g.MinPrice = price
	}
	if price > g.MaxPrice {
		g.MaxPrice = price
	}
	return nil
}

func (a *aggregator) headerField(value []byte, esc bool) error {
	if esc {
		value = unescape(nil, value)
	}
	for i, name := range columnNames {
		if string(value) == name {
			if a.seen[i] {
				return a.fail(fmt.Sprintf("duplicate column %q", name))
			}
			a.seen[i] = true
			a.kindAt[i] = len(a.kinds)
		}
	}
	a.kinds = append(a.kinds, kindIgnore)
	return nil
}

func (a *aggregator) endHeader(nfields int) error {
	for i, name := range columnNames {
		if !a.seen[i] {
			return a.fail(fmt.Sprintf("missing column %q", name))
		}
		a.kinds[a.kindAt[i]] = uint8(kindRegion + i)
	}
	a.nfields = nfields
	a.inHeader = false
	return nil
}

// unescape appends value with every "" pair replaced by one ".
func unescape(dst, value []byte) []byte {
	for i := 0; i < len(value); i++ {
		dst = append(dst, value[i])
		if value[i] == '"' {
			i++
		}
	}
	return dst
}

// parseQty accepts -?[0-9]{1,9}.
func parseQty(v []byte) (int64, bool) {
	neg := false
	if len(v) > 0 && v[0] == '-' {
		neg = true
		v = v[1:]
	}
	if len(v) == 0 || len(v) > 9 {
		return 0, false
	}
	var x int64
	for _, c := range v {
		d := c - '0'
		if d > 9 {
			return 0, false
		}
		x = x*10 + int64(d)
	}
	if neg {
		x = -x
	}
	return x, true
}

// parsePrice accepts [0-9]{1,7}\.[0-9]{2} and returns cents.
func parsePrice(v []byte) (int64, bool) {
	n := len(v)
	if n < 4 || n > 10 || v[n-3] != '.' {
		return 0, false
	}
	var x int64
	for i, c := range v {
		if i == n-3 {
			continue
		}
		d := c - '0'
		if d > 9 {
			return 0, false
		}
		x = x*10 + int64(d)
	}
	return x, true
}

// WriteOutput writes the header line and one line per group (spec: Output file).
func WriteOutput(w io.Writer, groups []Group) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString("region,product,count,sum_qty,revenue,min_price,max_price\n")
	var line []byte
	for i := range groups {
		g := &groups[i]
		line = appendField(line[:0], g.Region)
		line = append(line, ',')
		line = appendField(line, g.Product)
		line = append(line, ',')
		line = strconv.AppendUint(line, g.Count, 10)
		line = append(line, ',')
		line = strconv.AppendInt(line, g.SumQty, 10)
		line = append(line, ',')
		line = appendCents(line, g.Revenue)
		line = append(line, ',')
		line = appendCents(line, g.MinPrice)
		line = append(line, ',')
		line = appendCents(line, g.MaxPrice)
		line = append(line, '\n')
		bw.Write(line)
	}
	return bw.Flush()
}

func appendField(dst []byte, s string) []byte {
	if !bytes.ContainsAny([]byte(s), ",\"\r\n") {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}

func appendCents(dst []byte, v int64) []byte {
	u := uint64(v)
	if v < 0 {
		dst = append(dst, '-')
		u = uint64(-v) // also right for MinInt64
	}
	dst = strconv.AppendUint(dst, u/100, 10)
	return append(dst, '.', byte('0'+u%100/10), byte('0'+u%10))
}

// Summary is the line printed on standard output.
func (r *Result) Summary() string {
	return fmt.Sprintf("{\"bytes\":%d,\"records\":%d,\"groups\":%d}\n", r.Bytes, r.Records, len(r.Groups))
}
