// audio-chunker < input.pcm > records.bin — see impls/audio-chunker/README.md.
//
// Exit codes: 0 success, 1 read or write error, 2 usage.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const readBuffer = 64 * 1024

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout io.Writer, stderr io.Writer) int {
	if len(args) != 0 {
		fmt.Fprintln(stderr, "usage: audio-chunker < input.pcm > records.bin")
		return 2
	}
	// A closed stdout must be an EPIPE error, not death by SIGPIPE.
	signal.Ignore(syscall.SIGPIPE)
	// os.Stdin and os.Stdout are unbuffered: each Read is one read(2) returning what has
	// arrived, each record one Write.
	c := NewChunker(stdout)
	buf := make([]byte, readBuffer)
	for {
		n, err := stdin.Read(buf)
		if n > 0 {
			if werr := c.Feed(buf[:n]); werr != nil {
				return fail(stderr, "stdout", werr)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(stderr, "stdin", err)
		}
	}
	odd, err := c.Finish()
	if err != nil {
		return fail(stderr, "stdout", err)
	}
	if odd {
		fmt.Fprintln(stderr, "audio-chunker: warning: input ends with an odd byte; ignored")
	}
	return 0
}

func fail(stderr io.Writer, what string, err error) int {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	fmt.Fprintf(stderr, "audio-chunker: %s: %v\n", what, err)
	return 1
}
