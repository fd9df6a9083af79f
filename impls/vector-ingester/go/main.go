// Command vector-ingester reads a corpus (directory or tar), cuts it into overlapping chunks,
// embeds each chunk and stores documents, chunks and vectors in SQLite.
// Spec: impls/vector-ingester/README.md.
package main

import (
	"fmt"
	"io"
	"os"
)

const usage = "usage: vector-ingester <corpus-dir-or-tar> <database>"

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	sum, err := ingest(args[0], args[1], defaultConfig(), &HashEmbedder{})
	if err != nil {
		fmt.Fprintf(stderr, "vector-ingester: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, sum.JSON())
	return 0
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
