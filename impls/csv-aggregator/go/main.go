// csv-aggregator <input.csv> <output.csv>
//
// Streams a sales CSV and writes GROUP BY (region, product) aggregates (spec: ../README.md).
// Exit codes: 0 success (summary line on stdout), 1 I/O error or malformed input, 2 usage.
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 {
		fmt.Fprintln(stderr, "usage: csv-aggregator <input.csv> <output.csv>")
		return 2
	}
	inPath, outPath := args[0], args[1]
	in, err := os.Open(inPath)
	if err != nil {
		return fail(stderr, inPath, reason(err))
	}
	defer in.Close()
	out, err := os.Create(outPath)
	if err != nil {
		return fail(stderr, outPath, reason(err))
	}
	// Only a regular file is deleted after an error, never a device such as /dev/null.
	regular := false
	if st, err := out.Stat(); err == nil {
		regular = st.Mode().IsRegular()
	}
	remove := func() {
		if regular {
			os.Remove(outPath)
		}
	}
	abort := func(path, msg string) int {
		out.Close()
		remove()
		return fail(stderr, path, msg)
	}
	res, err := Aggregate(in)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			return abort(inPath, pe.Error())
		}
		return abort(inPath, reason(err))
	}
	if err := WriteOutput(out, res.Groups); err != nil {
		return abort(outPath, reason(err))
	}
	if err := out.Close(); err != nil {
		remove()
		return fail(stderr, outPath, reason(err))
	}
	io.WriteString(stdout, res.Summary())
	return 0
}

func fail(stderr io.Writer, path, msg string) int {
	fmt.Fprintf(stderr, "csv-aggregator: %s: %s\n", path, msg)
	return 1
}

// reason gives the OS error's own text ("no such file or directory"), without Go's "open x:" prefix.
func reason(err error) string {
	var re *ReadError
	if errors.As(err, &re) {
		err = re.Err
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
