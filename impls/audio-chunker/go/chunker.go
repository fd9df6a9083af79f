package main

// The chunker proper: impls/audio-chunker/README.md, "Algorithm" and "Output: records".

import (
	"encoding/binary"
	"io"
)

const (
	frame      = 320               // samples per VAD frame (20 ms)
	frameBytes = 2 * frame         // bytes per frame
	onEnergy   = 320 * 1000 * 1000 // a frame with at least this energy starts speech (RMS 1000)
	offEnergy  = 320 * 500 * 500   // a frame with less than this energy ends speech (RMS 500)
	hangover   = 15                // consecutive non-speech frames that close a chunk
	preroll    = 5                 // frames kept before the frame that opens a chunk
	minVoiced  = 5                 // fewer speech frames: the chunk is dropped
	maxLen     = 80000             // longest chunk, samples
	overlap    = 8000              // samples shared by a cut chunk and its continuation
	headerSize = 24
)

// Reasons a chunk ends (the header's reason byte).
const (
	reasonSilence = 0
	reasonMax     = 1
	reasonEOS     = 2
)

// frameEnergy is the exact sum of squares of a frame's samples.
func frameEnergy(f []byte) uint64 {
	var e uint64
	for i := 0; i+1 < len(f); i += 2 {
		s := int64(int16(binary.LittleEndian.Uint16(f[i:])))
		e += uint64(s * s)
	}
	return e
}

// Chunker is fed the stream in pieces of any size and writes each record to out the moment it
// is decided, header and samples in one Write call.
type Chunker struct {
	out        io.Writer
	speaking   bool
	silentRun  int
	seq        uint32
	frameIndex uint64 // index of the next frame
	open       bool
	start      uint64 // first sample of the open chunk
	voiced     uint16
	// buf is headerSize bytes of room for the header, then the open chunk's samples as input
	// bytes — or, while no chunk is open, the pre-roll (at most preroll frames after floor).
	buf        []byte
	partial    [frameBytes]byte
	partialLen int
}

// NewChunker returns a chunker writing its records to out.
func NewChunker(out io.Writer) *Chunker {
	buf := make([]byte, headerSize, headerSize+2*maxLen)
	return &Chunker{out: out, buf: buf}
}

func (c *Chunker) length() int { return (len(c.buf) - headerSize) / 2 }

// Feed processes the next piece of the stream. The only errors are those of out.
func (c *Chunker) Feed(data []byte) error {
	if c.partialLen > 0 {
		n := copy(c.partial[c.partialLen:], data)
		c.partialLen += n
		data = data[n:]
		if c.partialLen < frameBytes {
			return nil
		}
		c.partialLen = 0
		if err := c.frame(c.partial[:]); err != nil {
			return err
		}
	}
	for len(data) >= frameBytes {
		if err := c.frame(data[:frameBytes]); err != nil {
			return err
		}
		data = data[frameBytes:]
	}
	c.partialLen = copy(c.partial[:], data)
	return nil
}

// Finish ends the stream: the open chunk, with the partial frame, is closed as end-of-stream.
// It reports whether the input had an odd number of bytes (the last one is ignored).
func (c *Chunker) Finish() (oddByte bool, err error) {
	oddByte = c.partialLen%2 == 1
	if c.open {
		c.buf = append(c.buf, c.partial[:c.partialLen&^1]...)
		err = c.close(reasonEOS)
		c.open = false
	}
	c.buf = c.buf[:headerSize]
	c.partialLen = 0
	return oddByte, err
}

func (c *Chunker) frame(f []byte) error {
	e := frameEnergy(f)
	if !c.speaking && e >= onEnergy {
		c.speaking = true
	} else if c.speaking && e < offEnergy {
		c.speaking = false
	}
	if c.speaking {
		c.silentRun = 0
	} else if c.silentRun < hangover {
		c.silentRun++
	}
	k := c.frameIndex
	c.frameIndex++

	if !c.open {
		if !c.speaking {
			if c.length() == preroll*frame { // keep at most preroll frames
				copy(c.buf[headerSize:], c.buf[headerSize+frameBytes:])
				c.buf = c.buf[:len(c.buf)-frameBytes]
			}
			c.buf = append(c.buf, f...)
			return nil
		}
		// The pre-roll holds min(preroll, frames since floor) frames, so this is
		// max(320·(k − preroll), floor, 0).
		c.open = true
		c.start = k*frame - uint64(c.length())
		c.voiced = 0
	}

	c.buf = append(c.buf, f...)
	if c.speaking {
		c.voiced++
	}
	switch {
	case c.silentRun >= hangover:
		err := c.close(reasonSilence)
		c.open = false
		c.buf = c.buf[:headerSize]
		return err
	case c.length() == maxLen:
		err := c.close(reasonMax)
		n := copy(c.buf[headerSize:], c.buf[len(c.buf)-2*overlap:])
		c.buf = c.buf[:headerSize+n]
		c.start += maxLen - overlap
		c.voiced = 0
		return err
	}
	return nil
}

// close writes the open chunk's record unless it has too few speech frames.
func (c *Chunker) close(reason byte) error {
	if c.voiced < minVoiced {
		return nil
	}
	h := c.buf[:headerSize]
	copy(h[0:4], "ACHK")
	binary.LittleEndian.PutUint32(h[4:], c.seq)
	binary.LittleEndian.PutUint64(h[8:], c.start)
	binary.LittleEndian.PutUint32(h[16:], uint32(c.length()))
	h[20] = reason
	h[21] = 0
	binary.LittleEndian.PutUint16(h[22:], c.voiced)
	c.seq++
	_, err := c.out.Write(c.buf)
	return err
}
