package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func program(mainLocals byte, memory uint32, code []byte) []byte {
	b := []byte("BCVM")
	b = binary.LittleEndian.AppendUint16(b, 1)
	b = append(b, mainLocals, 0)
	b = binary.LittleEndian.AppendUint32(b, memory)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(code)))
	return append(b, code...)
}

func push(v int64) []byte {
	return binary.LittleEndian.AppendUint64([]byte{opPush}, uint64(v))
}

// exec loads and runs a program, returning its output or "offset: message".
func exec(t *testing.T, bin []byte) (string, string) {
	t.Helper()
	p, err := Load(bin)
	if err != nil {
		return "", "load: " + err.Error()
	}
	var out bytes.Buffer
	w := bufioWriter(&out)
	runErr := p.Run(w)
	w.Flush()
	if runErr != nil {
		var re *RuntimeError
		if errors.As(runErr, &re) {
			return out.String(), strconv.Itoa(int(re.Offset)) + ": " + re.Msg
		}
		t.Fatal(runErr)
	}
	return out.String(), ""
}

func binop(t *testing.T, a, b int64, op byte) string {
	code := append(push(a), push(b)...)
	code = append(code, op, opPrint)
	out, fault := exec(t, program(0, 0, code))
	if fault != "" {
		return fault
	}
	return out
}

func TestArithmeticWrapsAndDividesTowardZero(t *testing.T) {
	const min = -1 << 63
	cases := []struct {
		a, b int64
		op   byte
		want string
	}{
		{1<<63 - 1, 1, opAdd, "-9223372036854775808\n"},
		{min, -1, opDiv, "-9223372036854775808\n"},
		{min, -1, opMod, "0\n"},
		{-7, 2, opDiv, "-3\n"},
		{-7, 2, opMod, "-1\n"},
		{7, -2, opMod, "1\n"},
		{1, 0, opDiv, "18: division by zero"},
		{1, 65, opShl, "2\n"},
		{-16, 2, opShr, "-4\n"},
		{-1, 60, opUshr, "15\n"},
	}
	for _, c := range cases {
		if got := binop(t, c.a, c.b, c.op); got != c.want {
			t.Errorf("%d op 0x%02x %d: got %q, want %q", c.a, c.op, c.b, got, c.want)
		}
	}
}

func TestValidationMessages(t *testing.T) {
	cases := []struct {
		data []byte
		want string
	}{
		{[]byte("BCV"), "bad magic"},
		{[]byte("BCVM\x01\x00"), "truncated header"},
		{program(0, 0, []byte{0x07}), "unknown opcode 0x07 at offset 0"},
		{program(0, 0, []byte{opPush, 1, 2}), "truncated operand at offset 0"},
		{program(0, 0, []byte{opJmp, 2, 0, 0, 0, opHalt}), "bad jump target 2 at offset 0"},
	}
	for _, c := range cases {
		_, err := Load(c.data)
		if err == nil || err.Error() != c.want {
			t.Errorf("Load(%q): got %v, want %q", c.data, err, c.want)
		}
	}
	if _, err := Load(program(0, 0, []byte{opJmp, 5, 0, 0, 0})); err != nil {
		t.Errorf("a jump to code_len must be valid: %v", err)
	}
}

func TestStackIsPerFrame(t *testing.T) {
	code := append(push(1), opCall, 17, 0, 0, 0, 0, 0, opHalt, opPop)
	if _, fault := exec(t, program(0, 0, code)); fault != "17: stack underflow" {
		t.Errorf("got %q", fault)
	}
}

// TestTestdata runs every ../testdata/*.bin through the whole program and compares stdout,
// stderr and the exit code with the expected files.
func TestTestdata(t *testing.T) {
	bins, _ := filepath.Glob("../testdata/*.bin")
	if len(bins) < 10 {
		t.Fatalf("found only %d testdata cases", len(bins))
	}
	for _, bin := range bins {
		stem := strings.TrimSuffix(bin, ".bin")
		t.Run(filepath.Base(stem), func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run([]string{bin}, os.ReadFile, &out, &errOut)
			wantOut := mustRead(t, stem+".out")
			wantErr := mustRead(t, stem+".err")
			wantCode, _ := strconv.Atoi(strings.TrimSpace(mustRead(t, stem+".code")))
			if out.String() != wantOut {
				t.Errorf("stdout: got %q, want %q", out.String(), wantOut)
			}
			if errOut.String() != wantErr {
				t.Errorf("stderr: got %q, want %q", errOut.String(), wantErr)
			}
			if code != wantCode {
				t.Errorf("exit code: got %d, want %d", code, wantCode)
			}
		})
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestMissingFileAndUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"/nonexistent/prog.bin"}, os.ReadFile, &out, &errOut); code != 1 {
		t.Errorf("missing file: exit %d, want 1", code)
	}
	if !strings.HasPrefix(errOut.String(), "bytecode-vm: /nonexistent/prog.bin: ") || out.Len() != 0 {
		t.Errorf("missing file: stderr %q, stdout %q", errOut.String(), out.String())
	}
	errOut.Reset()
	if code := run(nil, os.ReadFile, &out, &errOut); code != 2 || errOut.String() != "usage: bytecode-vm <program.bin>\n" {
		t.Errorf("usage: exit %d, stderr %q", code, errOut.String())
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

func TestStdoutWriteFailure(t *testing.T) {
	var errOut bytes.Buffer
	code := run([]string{"../testdata/loops.bin"}, os.ReadFile, failingWriter{}, &errOut)
	if code != 1 || errOut.String() != "bytecode-vm: stdout: no space left on device\n" {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}

func bufioWriter(b *bytes.Buffer) *bufio.Writer { return bufio.NewWriter(b) }
