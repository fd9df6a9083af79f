// Command bytecode-vm loads, validates and runs a bytecode program (spec: ../README.md).
package main

import (
	"errors"
	"io/fs"
	"os"
)

// describe gives the OS reason of a file error without Go's "op path:" prefix.
func describe(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func main() {
	os.Exit(run(os.Args[1:], os.ReadFile, os.Stdout, os.Stderr))
}
