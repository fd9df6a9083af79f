package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
)

// Opcodes (README.md, "Bytecode format").
const (
	opHalt   = 0x00
	opPush   = 0x01
	opPop    = 0x02
	opDup    = 0x03
	opSwap   = 0x04
	opOver   = 0x05
	opAdd    = 0x10
	opSub    = 0x11
	opMul    = 0x12
	opDiv    = 0x13
	opMod    = 0x14
	opNeg    = 0x15
	opAnd    = 0x18
	opOr     = 0x19
	opXor    = 0x1A
	opNot    = 0x1B
	opShl    = 0x1C
	opShr    = 0x1D
	opUshr   = 0x1E
	opEq     = 0x20
	opNe     = 0x21
	opLt     = 0x22
	opLe     = 0x23
	opGt     = 0x24
	opGe     = 0x25
	opLoadL  = 0x28
	opStoreL = 0x29
	opLoadG  = 0x30
	opStoreG = 0x31
	opJmp    = 0x38
	opJz     = 0x39
	opJnz    = 0x3A
	opCall   = 0x40
	opRet    = 0x41
	opPrint  = 0x48
)

// Limits (README.md, "Execution model").
const (
	maxMemory = 1 << 24
	stackCap  = 65536
	maxFrames = 4096
	localsCap = 65536
	headerLen = 16
	minInt64  = -1 << 63
	noTarget  = -1
)

// operandLen gives the operand byte count of each valid opcode, -1 for invalid ones.
var operandLen = func() [256]int {
	var t [256]int
	for i := range t {
		t[i] = -1
	}
	for _, op := range []byte{opHalt, opPop, opDup, opSwap, opOver, opAdd, opSub, opMul, opDiv,
		opMod, opNeg, opAnd, opOr, opXor, opNot, opShl, opShr, opUshr, opEq, opNe, opLt, opLe,
		opGt, opGe, opLoadG, opStoreG, opRet, opPrint} {
		t[op] = 0
	}
	t[opPush] = 8
	t[opLoadL] = 1
	t[opStoreL] = 1
	t[opJmp] = 4
	t[opJz] = 4
	t[opJnz] = 4
	t[opCall] = 6
	return t
}()

// instr is one decoded instruction: a is the push value or the target instruction index,
// b the local index or nargs, c nlocals.
type instr struct {
	a  int64
	op uint8
	b  uint8
	c  uint8
}

// Program is a validated, decoded program.
type Program struct {
	code       []instr // with a final halt for "end of code"
	offsets    []uint32
	memory     int
	mainLocals int
}

// LoadError is a validation failure.
type LoadError struct{ Msg string }

func (e *LoadError) Error() string { return e.Msg }

func loadErr(format string, args ...any) error {
	return &LoadError{fmt.Sprintf(format, args...)}
}

// Load validates and decodes a bytecode file.
func Load(data []byte) (*Program, error) {
	if len(data) < 4 || string(data[:4]) != "BCVM" {
		return nil, loadErr("bad magic")
	}
	if len(data) < headerLen {
		return nil, loadErr("truncated header")
	}
	if v := binary.LittleEndian.Uint16(data[4:]); v != 1 {
		return nil, loadErr("unsupported version %d", v)
	}
	if data[7] != 0 {
		return nil, loadErr("bad header")
	}
	memory := binary.LittleEndian.Uint32(data[8:])
	if memory > maxMemory {
		return nil, loadErr("memory too large")
	}
	codeLen := binary.LittleEndian.Uint32(data[12:])
	if uint64(codeLen) != uint64(len(data)-headerLen) {
		return nil, loadErr("code length mismatch")
	}
	code := data[headerLen:]
	p := &Program{memory: int(memory), mainLocals: int(data[6])}
	// index[off] = instruction index + 1 for instruction starts, 0 elsewhere.
	index := make([]int32, len(code)+1)
	for off := 0; off < len(code); {
		op := code[off]
		n := operandLen[op]
		if n < 0 {
			return nil, loadErr("unknown opcode 0x%02x at offset %d", op, off)
		}
		if off+1+n > len(code) {
			return nil, loadErr("truncated operand at offset %d", off)
		}
		ops := code[off+1 : off+1+n]
		in := instr{op: op}
		switch n {
		case 8:
			in.a = int64(binary.LittleEndian.Uint64(ops))
		case 1:
			in.b = ops[0]
		case 4:
			in.a = int64(binary.LittleEndian.Uint32(ops))
		case 6:
			in.a = int64(binary.LittleEndian.Uint32(ops))
			in.b, in.c = ops[4], ops[5]
			if in.c < in.b {
				return nil, loadErr("bad call at offset %d", off)
			}
		}
		index[off] = int32(len(p.code)) + 1
		p.code = append(p.code, in)
		p.offsets = append(p.offsets, uint32(off))
		off += 1 + n
	}
	index[len(code)] = int32(len(p.code)) + 1
	for i := range p.code {
		in := &p.code[i]
		switch in.op {
		case opJmp, opJz, opJnz, opCall:
			t := in.a
			if t > int64(len(code)) || index[t] == 0 {
				return nil, loadErr("bad jump target %d at offset %d", t, p.offsets[i])
			}
			in.a = int64(index[t] - 1)
		}
	}
	p.code = append(p.code, instr{op: opHalt})
	p.offsets = append(p.offsets, uint32(len(code)))
	return p, nil
}

// RuntimeError is a fault during execution.
type RuntimeError struct {
	Offset uint32
	Msg    string
}

func (e *RuntimeError) Error() string {
	return fmt.Sprintf("runtime error at offset %d: %s", e.Offset, e.Msg)
}

type frame struct {
	retPC      int32
	localsBase int32
	nlocals    int32
	stackBase  int32
}

const (
	errUnderflow = iota + 1
	errOverflow
	errDivZero
	errBounds
	errLocal
	errCallDepth
	errTopRet
)

var errText = [...]string{"", "stack underflow", "stack overflow", "division by zero",
	"memory access out of bounds", "bad local index", "call stack overflow", "return from top level"}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// Run executes the program, printing to w. It returns a *RuntimeError on a fault, or the
// writer's error.
func (p *Program) Run(w *bufio.Writer) error {
	code := p.code
	mem := make([]int64, p.memory)
	stack := make([]int64, stackCap)
	locals := make([]int64, localsCap)
	frames := make([]frame, maxFrames)
	var numbuf [24]byte

	pc := 0
	sp := 0    // number of values on the operand stack
	base := 0  // stack base of the current frame
	lbase := 0 // locals base of the current frame
	nloc := p.mainLocals
	ltop := nloc // first free locals slot
	depth := 0   // active frames besides the top-level one
	fault := 0

loop:
	for {
		in := &code[pc]
		pc++
		switch in.op {
		case opHalt:
			break loop
		case opPush:
			if sp == stackCap {
				fault = errOverflow
				break loop
			}
			stack[sp] = in.a
			sp++
		case opPop:
			if sp == base {
				fault = errUnderflow
				break loop
			}
			sp--
		case opDup:
			if sp == base {
				fault = errUnderflow
				break loop
			}
			if sp == stackCap {
				fault = errOverflow
				break loop
			}
			stack[sp] = stack[sp-1]
			sp++
		case opSwap:
			if sp-base < 2 {
				fault = errUnderflow
				break loop
			}
			stack[sp-1], stack[sp-2] = stack[sp-2], stack[sp-1]
		case opOver:
			if sp-base < 2 {
				fault = errUnderflow
				break loop
			}
			if sp == stackCap {
				fault = errOverflow
				break loop
			}
			stack[sp] = stack[sp-2]
			sp++
		case opAdd:
			if sp-base < 2 {
				fault = errUnderflow
				break loop
			}
			a, b := stack[sp-2], stack[sp-1]
			sp--
			stack[sp-1] = a + b
		case opSub:
			if sp-base < 2 {
				fault = errUnderflow
				break loop
			}
			a, b := stack[sp-2], stack[sp-1]
			sp--
			stack[sp-1] = a - b
		case opMul:
			if sp-base < 2 {
				fault = errUnderflow
				break loop
			}
			a, b := stack[sp-2], stack[sp-1]
			sp--
			stack[sp-1] = a * b
		case opAnd:
			if sp-base < 2 {
				fault = errUnderflow
				break loop
			}
			a, b := stack[sp-2], stack[sp-1]
			sp--
			stack[sp-1] = a & b
		case opOr:
			if sp-base < 2 {
				fault = errUnderflow
				break loop
			}
			a, b := stack[sp-2], stack[sp-1]
			sp--
			stack[sp-1] = a | b
		case opXor:
			if sp-base < 2 {
				fault = errUnderflow
				break loop
			}
			a, b := stack[sp-2], stack[sp-1]
			sp--
			stack[sp-1] = a ^ b
		case opShl:
			if sp-base < 2 {
				fault = errUnderflow
				break loop
			}
			a, b := stack[sp-2], stack[sp-1]
			sp--
			stack[sp-1] = a << uint(b&63)
		case opShr:
			if sp-base < 2 {
				fault = errUnderflow
				break loop
			}
			a, b := stack[sp-2], stack[sp-1]
			sp--
			stack[sp-1] = a >> uint(b&63)
		case opUshr:
			if sp-base < 2 {
				fault = errUnderflow
				break loop
			}
			a, b := stack[sp-2], stack[sp-1]
			sp--
			stack[sp-1] = int64(uint64(a) >> uint(b&63))
		case opEq:
			if sp-base < 2 {
				fault = errUnderflow
				break loop
			}
			a, b := stack[sp-2], stack[sp-1]
			sp--
			stack[sp-1] = b2i(a == b)
		case opNe:
			if sp-base < 2 {
				fault = errUnderflow
				break loop
			}
			a, b := stack[sp-2], stack[sp-1]
			sp--
			stack[sp-1] = b2i(a != b)
		case opLt:
			if sp-base < 2 {
				fault = errUnderflow
				break loop
			}
			a, b := stack[sp-2], stack[sp-1]
			sp--
			stack[sp-1] = b2i(a < b)
		case opLe:
			if sp-base < 2 {
				fault = errUnderflow
				break loop
			}
			a, b := stack[sp-2], stack[sp-1]
			sp--
			stack[sp-1] = b2i(a <= b)
		case opGt:
			if sp-base < 2 {
				fault = errUnderflow
				break loop
			}
			a, b := stack[sp-2], stack[sp-1]
			sp--
			stack[sp-1] = b2i(a > b)
		case opGe:
			if sp-base < 2 {
				fault = errUnderflow
				break loop
			}
			a, b := stack[sp-2], stack[sp-1]
			sp--
			stack[sp-1] = b2i(a >= b)
		case opDiv:
			if sp-base < 2 {
				fault = errUnderflow
				break loop
			}
			a, b := stack[sp-2], stack[sp-1]
			if b == 0 {
				fault = errDivZero
				break loop
			}
			sp--
			stack[sp-1] = a / b // Go defines MIN / -1 = MIN and MIN % -1 = 0
		case opMod:
			if sp-base < 2 {
				fault = errUnderflow
				break loop
			}
			a, b := stack[sp-2], stack[sp-1]
			if b == 0 {
				fault = errDivZero
				break loop
			}
			sp--
			stack[sp-1] = a % b // Go defines MIN / -1 = MIN and MIN % -1 = 0
		case opNeg:
			if sp == base {
				fault = errUnderflow
				break loop
			}
			stack[sp-1] = -stack[sp-1]
		case opNot:
			if sp == base {
				fault = errUnderflow
				break loop
			}
			stack[sp-1] = ^stack[sp-1]
		case opLoadL:
			i := int(in.b)
			if i >= nloc {
				fault = errLocal
				break loop
			}
			if sp == stackCap {
				fault = errOverflow
				break loop
			}
			stack[sp] = locals[lbase+i]
			sp++
		case opStoreL:
			i := int(in.b)
			if i >= nloc {
				fault = errLocal
				break loop
			}
			if sp == base {
				fault = errUnderflow
				break loop
			}
			sp--
			locals[lbase+i] = stack[sp]
		case opLoadG:
			if sp == base {
				fault = errUnderflow
				break loop
			}
			addr := stack[sp-1]
			if uint64(addr) >= uint64(len(mem)) {
				fault = errBounds
				break loop
			}
			stack[sp-1] = mem[addr]
		case opStoreG:
			if sp-base < 2 {
				fault = errUnderflow
				break loop
			}
			addr := stack[sp-2]
			if uint64(addr) >= uint64(len(mem)) {
				fault = errBounds
				break loop
			}
			mem[addr] = stack[sp-1]
			sp -= 2
		case opJmp:
			pc = int(in.a)
		case opJz:
			if sp == base {
				fault = errUnderflow
				break loop
			}
			sp--
			if stack[sp] == 0 {
				pc = int(in.a)
			}
		case opJnz:
			if sp == base {
				fault = errUnderflow
				break loop
			}
			sp--
			if stack[sp] != 0 {
				pc = int(in.a)
			}
		case opCall:
			nargs, nl := int(in.b), int(in.c)
			if sp-base < nargs {
				fault = errUnderflow
				break loop
			}
			if depth == maxFrames || ltop+nl > localsCap {
				fault = errCallDepth
				break loop
			}
			frames[depth] = frame{retPC: int32(pc), localsBase: int32(lbase), nlocals: int32(nloc), stackBase: int32(base)}
			depth++
			sp -= nargs
			copy(locals[ltop:ltop+nargs], stack[sp:sp+nargs])
			clear(locals[ltop+nargs : ltop+nl])
			lbase, nloc = ltop, nl
			ltop += nl
			base = sp
			pc = int(in.a)
		case opRet:
			if depth == 0 {
				fault = errTopRet
				break loop
			}
			if sp == base {
				fault = errUnderflow
				break loop
			}
			v := stack[sp-1]
			sp = base
			depth--
			f := frames[depth]
			ltop = lbase
			pc, lbase, nloc, base = int(f.retPC), int(f.localsBase), int(f.nlocals), int(f.stackBase)
			stack[sp] = v
			sp++
		case opPrint:
			if sp == base {
				fault = errUnderflow
				break loop
			}
			sp--
			b := strconv.AppendInt(numbuf[:0], stack[sp], 10)
			b = append(b, '\n')
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
	}
	if fault != 0 {
		return &RuntimeError{Offset: p.offsets[pc-1], Msg: errText[fault]}
	}
	return nil
}

// run is the whole program: arguments in, exit code out.
func run(args []string, readFile func(string) ([]byte, error), stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: bytecode-vm <program.bin>")
		return 2
	}
	data, err := readFile(args[0])
	if err != nil {
		fmt.Fprintf(stderr, "bytecode-vm: %s: %s\n", args[0], describe(err))
		return 1
	}
	p, err := Load(data)
	if err != nil {
		fmt.Fprintf(stderr, "bytecode-vm: invalid bytecode: %s\n", err)
		return 3
	}
	w := bufio.NewWriterSize(stdout, 64*1024)
	runErr := p.Run(w)
	if err := w.Flush(); err != nil && runErr == nil {
		runErr = err
	}
	if runErr != nil {
		if re, ok := runErr.(*RuntimeError); ok {
			fmt.Fprintf(stderr, "bytecode-vm: %s\n", re)
			return 4
		}
		fmt.Fprintf(stderr, "bytecode-vm: stdout: %s\n", describe(runErr))
		return 1
	}
	return 0
}
