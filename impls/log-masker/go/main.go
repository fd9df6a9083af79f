// Command log-masker copies a log file, masking secrets and personal data as defined in
// ../README.md, and prints a one-line JSON summary on standard output.
//
// Usage:
//
//	log-masker <input-file> <output-file>
//
// Exit codes: 0 on success, 1 on an I/O error, 2 on wrong usage.
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

// run is the whole program minus the process exit, so that tests can drive it.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 {
		fmt.Fprintln(stderr, "usage: log-masker <input-file> <output-file>")
		return 2
	}
	st, err := maskFile(args[0], args[1])
	if err != nil {
		fmt.Fprintf(stderr, "log-masker: %v\n", err)
		return 1
	}
	line := append(st.AppendJSON(make([]byte, 0, 256)), '\n')
	if _, err := stdout.Write(line); err != nil {
		fmt.Fprintf(stderr, "log-masker: %v\n", pathError("<stdout>", err))
		return 1
	}
	return 0
}

// maskFile masks inPath into outPath. Its errors read "<path>: <reason>".
func maskFile(inPath, outPath string) (Stats, error) {
	in, err := os.Open(inPath)
	if err != nil {
		return Stats{}, pathError(inPath, err)
	}
	defer in.Close() // read-only: a close error cannot lose data

	out, err := os.Create(outPath)
	if err != nil {
		return Stats{}, pathError(outPath, err)
	}
	st, err := Mask(out, in)
	if err != nil {
		out.Close() // the masking error is the one worth reporting
		if errors.Is(err, ErrRead) {
			return st, pathError(inPath, err)
		}
		return st, pathError(outPath, err)
	}
	if err := out.Close(); err != nil {
		return st, pathError(outPath, err)
	}
	return st, nil
}

// pathError wraps err as "<path>: <reason>". For errors from the os package the reason is
// the bare system error ("no such file or directory"), without the operation and path that
// *fs.PathError would repeat.
func pathError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", path, pe.Err)
	}
	return fmt.Errorf("%s: %w", path, err)
}
