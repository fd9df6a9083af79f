package main

import (
	_ "embed"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

//go:embed font.hex
var fontHex string

// Font maps code points to 8x16 glyphs (one byte per row, MSB = leftmost pixel).
type Font struct {
	glyphs   map[rune]*[16]byte
	fallback *[16]byte
}

// ParseFont reads the font.hex format: `XXXX:` + 32 hex digits per line, `#` comments.
func ParseFont(text string) (*Font, error) {
	f := &Font{glyphs: map[rune]*[16]byte{}}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		cpText, rows, ok := strings.Cut(line, ":")
		cp, err := strconv.ParseUint(cpText, 16, 32)
		var g [16]byte
		if ok && err == nil && len(rows) == 32 {
			_, err = hex.Decode(g[:], []byte(rows))
		}
		if !ok || err != nil || len(rows) != 32 {
			return nil, fmt.Errorf("font line %d: bad glyph %q", i+1, line)
		}
		f.glyphs[rune(cp)] = &g
	}
	f.fallback = f.glyphs[0xFFFD]
	if f.fallback == nil {
		return nil, fmt.Errorf("font has no U+FFFD glyph")
	}
	return f, nil
}

// Glyph returns the glyph of cp, or U+FFFD's when the font lacks it.
func (f *Font) Glyph(cp rune) *[16]byte {
	if g, ok := f.glyphs[cp]; ok {
		return g
	}
	return f.fallback
}

// Class values of the class map.
const (
	clsBox     = 1
	clsOutline = 2
	clsGlyph   = 3
)

// colours[class] = (Y, U, V); alphas[class] out of 256.
var (
	colours = [4][3]int{{0, 0, 0}, {16, 128, 128}, {16, 128, 128}, {210, 16, 146}}
	alphas  = [4]int{0, 160, 256, 256}
)

// Blend is the spec's blend: (s·(256−a) + c·a + 128) >> 8.
func Blend(s, c, a int) int { return (s*(256-a) + c*a + 128) >> 8 }

// luts[plane][class][sample] = Blend(sample, colour of class, alpha of class); class 0 = identity.
var luts = func() (t [3][4][256]byte) {
	for p := 0; p < 3; p++ {
		for cls := 0; cls < 4; cls++ {
			for s := 0; s < 256; s++ {
				if cls == 0 {
					t[p][cls][s] = byte(s)
				} else {
					t[p][cls][s] = byte(Blend(s, colours[cls][p], alphas[cls]))
				}
			}
		}
	}
	return
}()

// Layout is the box [X0,X1)×[Y0,Y1) of a text block and the class of each of its luma pixels.
type Layout struct {
	X0, Y0, X1, Y1 int
	Cls            []byte // row-major, (X1−X0)·(Y1−Y0)
}

// NewLayout lays a text block out on a w×h frame; nil when nothing is to be drawn.
func NewLayout(f *Font, block [][]Cell, w, h int) *Layout {
	used := false
	for _, cs := range block {
		used = used || len(cs) > 0
	}
	if !used {
		return nil
	}
	s := max(1, h/360)
	n := len(block)
	bh := (18*n - 2) * s
	top := h - 24*s - bh
	xs := make([]int, n)
	x0, x1 := 0, 0
	first := true
	for i, cs := range block {
		xs[i] = (w - 8*s*len(cs)) >> 1
		if len(cs) == 0 {
			continue
		}
		if first || xs[i] < x0 {
			x0 = xs[i]
		}
		if first || xs[i]+8*s*len(cs) > x1 {
			x1 = xs[i] + 8*s*len(cs)
		}
		first = false
	}
	x0 = (x0 - 6*s) &^ 1
	x1 = (x1 + 6*s + 1) &^ 1
	y0 := (top - 4*s) &^ 1
	y1 := (top + bh + 4*s + 1) &^ 1
	x0, y0 = max(x0, 0), max(y0, 0)
	x1, y1 = min(x1, w), min(y1, h)
	if x0 >= x1 || y0 >= y1 {
		return nil
	}
	l := &Layout{X0: x0, Y0: y0, X1: x1, Y1: y1, Cls: make([]byte, (x1-x0)*(y1-y0))}
	for i := range l.Cls {
		l.Cls[i] = clsBox
	}
	for i, cs := range block {
		l.paintLine(f, cs, xs[i], top+18*s*i, s)
	}
	return l
}

// paintLine marks the glyph and outline pixels of one line whose cell 0 starts at (x, y).
func (l *Layout) paintLine(f *Font, cs []Cell, x, y, s int) {
	if len(cs) == 0 {
		return
	}
	// Font-pixel grid with a one-pixel border: rows −1..16, columns −1..8n+8.
	gw, gh := 8*len(cs)+10, 18
	ink := make([]bool, gw*gh)
	for k, cell := range cs {
		g := f.Glyph(cell.CP)
		for r := 0; r < 16; r++ {
			row := uint16(g[r]) << 8 // bit 15 = column 0
			if cell.Bold {
				row |= row >> 1
			}
			sh := 0
			if cell.Italic {
				sh = (15 - r) >> 2
			}
			for c := 0; c < 9; c++ {
				if row&(0x8000>>c) != 0 {
					ink[(r+1)*gw+8*k+c+sh+1] = true
				}
			}
		}
	}
	for gy := 0; gy < gh; gy++ {
		for gx := 0; gx < gw; gx++ {
			var cls byte
			if ink[gy*gw+gx] {
				cls = clsGlyph
			} else {
				for dy := -1; dy <= 1 && cls == 0; dy++ {
					for dx := -1; dx <= 1; dx++ {
						ny, nx := gy+dy, gx+dx
						if ny >= 0 && ny < gh && nx >= 0 && nx < gw && ink[ny*gw+nx] {
							cls = clsOutline
							break
						}
					}
				}
			}
			if cls == 0 {
				continue
			}
			px, py := x+(gx-1)*s, y+(gy-1)*s
			ax, bx := max(px, l.X0), min(px+s, l.X1)
			ay, by := max(py, l.Y0), min(py+s, l.Y1)
			bw := l.X1 - l.X0
			for yy := ay; yy < by; yy++ {
				row := l.Cls[(yy-l.Y0)*bw:]
				for xx := ax; xx < bx; xx++ {
					row[xx-l.X0] = cls
				}
			}
		}
	}
}

// Draw blends the layout onto YUV 4:2:0 planes with the given line sizes.
func (l *Layout) Draw(py, pu, pv []byte, ly, lu, lv int) {
	bw := l.X1 - l.X0
	for y := l.Y0; y < l.Y1; y++ {
		cls := l.Cls[(y-l.Y0)*bw : (y-l.Y0+1)*bw]
		row := py[y*ly+l.X0 : y*ly+l.X1]
		for i, c := range cls {
			row[i] = luts[0][c][row[i]]
		}
	}
	for cy := l.Y0 / 2; cy < l.Y1/2; cy++ {
		c0 := l.Cls[(2*cy-l.Y0)*bw : (2*cy-l.Y0+1)*bw]
		c1 := l.Cls[(2*cy-l.Y0+1)*bw : (2*cy-l.Y0+2)*bw]
		ru := pu[cy*lu+l.X0/2 : cy*lu+l.X1/2]
		rv := pv[cy*lv+l.X0/2 : cy*lv+l.X1/2]
		for i := range ru {
			a, b, c, d := c0[2*i], c0[2*i+1], c1[2*i], c1[2*i+1]
			u, v := ru[i], rv[i]
			tu, tv := &luts[1], &luts[2]
			ru[i] = byte((int(tu[a][u]) + int(tu[b][u]) + int(tu[c][u]) + int(tu[d][u]) + 2) >> 2)
			rv[i] = byte((int(tv[a][v]) + int(tv[b][v]) + int(tv[c][v]) + int(tv[d][v]) + 2) >> 2)
		}
	}
}
