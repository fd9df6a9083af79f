//! Stack-based bytecode VM over i64 (spec: impls/bytecode-vm/README.md).

use std::ffi::OsString;
use std::fmt;
use std::io::{self, BufWriter, Write};

pub const OP_HALT: u8 = 0x00;
pub const OP_PUSH: u8 = 0x01;
pub const OP_POP: u8 = 0x02;
pub const OP_DUP: u8 = 0x03;
pub const OP_SWAP: u8 = 0x04;
pub const OP_OVER: u8 = 0x05;
pub const OP_ADD: u8 = 0x10;
pub const OP_SUB: u8 = 0x11;
pub const OP_MUL: u8 = 0x12;
pub const OP_DIV: u8 = 0x13;
pub const OP_MOD: u8 = 0x14;
pub const OP_NEG: u8 = 0x15;
pub const OP_AND: u8 = 0x18;
pub const OP_OR: u8 = 0x19;
pub const OP_XOR: u8 = 0x1A;
pub const OP_NOT: u8 = 0x1B;
pub const OP_SHL: u8 = 0x1C;
pub const OP_SHR: u8 = 0x1D;
pub const OP_USHR: u8 = 0x1E;
pub const OP_EQ: u8 = 0x20;
pub const OP_NE: u8 = 0x21;
pub const OP_LT: u8 = 0x22;
pub const OP_LE: u8 = 0x23;
pub const OP_GT: u8 = 0x24;
pub const OP_GE: u8 = 0x25;
pub const OP_LOADL: u8 = 0x28;
pub const OP_STOREL: u8 = 0x29;
pub const OP_LOADG: u8 = 0x30;
pub const OP_STOREG: u8 = 0x31;
pub const OP_JMP: u8 = 0x38;
pub const OP_JZ: u8 = 0x39;
pub const OP_JNZ: u8 = 0x3A;
pub const OP_CALL: u8 = 0x40;
pub const OP_RET: u8 = 0x41;
pub const OP_PRINT: u8 = 0x48;

const MAX_MEMORY: u32 = 1 << 24;
const STACK_CAP: usize = 65536;
const MAX_FRAMES: usize = 4096;
const LOCALS_CAP: usize = 65536;
const HEADER_LEN: usize = 16;

/// Operand byte count of an opcode, or None if the opcode is invalid.
fn operand_len(op: u8) -> Option<usize> {
    match op {
        OP_HALT | OP_POP | OP_DUP | OP_SWAP | OP_OVER | OP_ADD | OP_SUB | OP_MUL | OP_DIV
        | OP_MOD | OP_NEG | OP_AND | OP_OR | OP_XOR | OP_NOT | OP_SHL | OP_SHR | OP_USHR
        | OP_EQ | OP_NE | OP_LT | OP_LE | OP_GT | OP_GE | OP_LOADG | OP_STOREG | OP_RET
        | OP_PRINT => Some(0),
        OP_PUSH => Some(8),
        OP_LOADL | OP_STOREL => Some(1),
        OP_JMP | OP_JZ | OP_JNZ => Some(4),
        OP_CALL => Some(6),
        _ => None,
    }
}

/// One decoded instruction: `a` is the push value or the target instruction index,
/// `b` the local index or nargs, `c` nlocals.
#[derive(Clone, Copy, Debug)]
struct Instr {
    a: i64,
    op: u8,
    b: u8,
    c: u8,
}

/// A validated, decoded program.
pub struct Program {
    code: Vec<Instr>, // with a final halt for "end of code"
    offsets: Vec<u32>,
    memory: usize,
    main_locals: usize,
}

/// A validation failure (the message after "invalid bytecode: ").
#[derive(Debug, PartialEq, Eq)]
pub struct LoadError(pub String);

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn u16le(b: &[u8]) -> u16 {
    u16::from_le_bytes([b[0], b[1]])
}
fn u32le(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

/// Validates and decodes a bytecode file.
pub fn load(data: &[u8]) -> Result<Program, LoadError> {
    let err = |s: String| Err(LoadError(s));
    if data.len() < 4 || &data[..4] != b"BCVM" {
        return err("bad magic".into());
    }
    if data.len() < HEADER_LEN {
        return err("truncated header".into());
    }
    let version = u16le(&data[4..]);
    if version != 1 {
        return err(format!("unsupported version {version}"));
    }
    if data[7] != 0 {
        return err("bad header".into());
    }
    let memory = u32le(&data[8..]);
    if memory > MAX_MEMORY {
        return err("memory too large".into());
    }
    let code_len = u32le(&data[12..]);
    if code_len as u64 != (data.len() - HEADER_LEN) as u64 {
        return err("code length mismatch".into());
    }
    let bytes = &data[HEADER_LEN..];
    let mut code = Vec::new();
    let mut offsets = Vec::new();
    // index[off] = instruction index + 1 at instruction starts, 0 elsewhere.
    let mut index = vec![0u32; bytes.len() + 1];
    let mut off = 0usize;
    while off < bytes.len() {
        let op = bytes[off];
        let n = match operand_len(op) {
            Some(n) => n,
            None => return err(format!("unknown opcode 0x{op:02x} at offset {off}")),
        };
        if off + 1 + n > bytes.len() {
            return err(format!("truncated operand at offset {off}"));
        }
        let ops = &bytes[off + 1..off + 1 + n];
        let mut ins = Instr {
            a: 0,
            op,
            b: 0,
            c: 0,
        };
        match n {
            8 => ins.a = i64::from_le_bytes(ops.try_into().unwrap()),
            1 => ins.b = ops[0],
            4 => ins.a = u32le(ops) as i64,
            6 => {
                ins.a = u32le(ops) as i64;
                ins.b = ops[4];
                ins.c = ops[5];
                if ins.c < ins.b {
                    return err(format!("bad call at offset {off}"));
                }
            }
            _ => {}
        }
        index[off] = code.len() as u32 + 1;
        code.push(ins);
        offsets.push(off as u32);
        off += 1 + n;
    }
    index[bytes.len()] = code.len() as u32 + 1;
    for (i, ins) in code.iter_mut().enumerate() {
        if matches!(ins.op, OP_JMP | OP_JZ | OP_JNZ | OP_CALL) {
            let t = ins.a as usize;
            if t > bytes.len() || index[t] == 0 {
                return err(format!("bad jump target {t} at offset {}", offsets[i]));
            }
            ins.a = (index[t] - 1) as i64;
        }
    }
    code.push(Instr {
        a: 0,
        op: OP_HALT,
        b: 0,
        c: 0,
    });
    offsets.push(bytes.len() as u32);
    Ok(Program {
        code,
        offsets,
        memory: memory as usize,
        main_locals: data[6] as usize,
    })
}

/// Why a run stopped early.
#[derive(Debug)]
pub enum RunError {
    /// A runtime fault: offset of the faulting instruction and its message.
    Fault(u32, &'static str),
    /// Writing standard output failed.
    Io(io::Error),
}

#[derive(Clone, Copy, Default)]
struct Frame {
    ret_pc: u32,
    locals_base: u32,
    nlocals: u32,
    stack_base: u32,
}

const UNDERFLOW: &str = "stack underflow";
const OVERFLOW: &str = "stack overflow";
const DIV_ZERO: &str = "division by zero";
const BOUNDS: &str = "memory access out of bounds";
const BAD_LOCAL: &str = "bad local index";
const CALL_DEPTH: &str = "call stack overflow";
const TOP_RET: &str = "return from top level";

impl Program {
    /// Runs the program, printing to `out` (the caller flushes it).
    pub fn run<W: Write>(&self, out: &mut W) -> Result<(), RunError> {
        let code = &self.code[..];
        let mut mem = vec![0i64; self.memory];
        let mut stack = vec![0i64; STACK_CAP];
        let mut locals = vec![0i64; LOCALS_CAP];
        let mut frames = vec![Frame::default(); MAX_FRAMES];
        let mut pc = 0usize;
        let mut sp = 0usize; // values on the operand stack
        let mut base = 0usize; // stack base of the current frame
        let mut lbase = 0usize; // locals base of the current frame
        let mut nloc = self.main_locals;
        let mut ltop = nloc; // first free locals slot
        let mut depth = 0usize; // active frames besides the top-level one

        let fault: &'static str = loop {
            let ins = code[pc];
            pc += 1;
            match ins.op {
                OP_HALT => return Ok(()),
                OP_PUSH => {
                    if sp == STACK_CAP {
                        break OVERFLOW;
                    }
                    stack[sp] = ins.a;
                    sp += 1;
                }
                OP_POP => {
                    if sp == base {
                        break UNDERFLOW;
                    }
                    sp -= 1;
                }
                OP_DUP => {
                    if sp == base {
                        break UNDERFLOW;
                    }
                    if sp == STACK_CAP {
                        break OVERFLOW;
                    }
                    stack[sp] = stack[sp - 1];
                    sp += 1;
                }
                OP_SWAP => {
                    if sp - base < 2 {
                        break UNDERFLOW;
                    }
                    stack.swap(sp - 1, sp - 2);
                }
                OP_OVER => {
                    if sp - base < 2 {
                        break UNDERFLOW;
                    }
                    if sp == STACK_CAP {
                        break OVERFLOW;
                    }
                    stack[sp] = stack[sp - 2];
                    sp += 1;
                }
                OP_ADD => {
                    if sp - base < 2 {
                        break UNDERFLOW;
                    }
                    let (a, b) = (stack[sp - 2], stack[sp - 1]);
                    sp -= 1;
                    stack[sp - 1] = a.wrapping_add(b);
                }
                OP_SUB => {
                    if sp - base < 2 {
                        break UNDERFLOW;
                    }
                    let (a, b) = (stack[sp - 2], stack[sp - 1]);
                    sp -= 1;
                    stack[sp - 1] = a.wrapping_sub(b);
                }
                OP_MUL => {
                    if sp - base < 2 {
                        break UNDERFLOW;
                    }
                    let (a, b) = (stack[sp - 2], stack[sp - 1]);
                    sp -= 1;
                    stack[sp - 1] = a.wrapping_mul(b);
                }
                OP_AND => {
                    if sp - base < 2 {
                        break UNDERFLOW;
                    }
                    let (a, b) = (stack[sp - 2], stack[sp - 1]);
                    sp -= 1;
                    stack[sp - 1] = a & b;
                }
                OP_OR => {
                    if sp - base < 2 {
                        break UNDERFLOW;
                    }
                    let (a, b) = (stack[sp - 2], stack[sp - 1]);
                    sp -= 1;
                    stack[sp - 1] = a | b;
                }
                OP_XOR => {
                    if sp - base < 2 {
                        break UNDERFLOW;
                    }
                    let (a, b) = (stack[sp - 2], stack[sp - 1]);
                    sp -= 1;
                    stack[sp - 1] = a ^ b;
                }
                OP_SHL => {
                    if sp - base < 2 {
                        break UNDERFLOW;
                    }
                    let (a, b) = (stack[sp - 2], stack[sp - 1]);
                    sp -= 1;
                    stack[sp - 1] = a.wrapping_shl((b & 63) as u32);
                }
                OP_SHR => {
                    if sp - base < 2 {
                        break UNDERFLOW;
                    }
                    let (a, b) = (stack[sp - 2], stack[sp - 1]);
                    sp -= 1;
                    stack[sp - 1] = a.wrapping_shr((b & 63) as u32);
                }
                OP_USHR => {
                    if sp - base < 2 {
                        break UNDERFLOW;
                    }
                    let (a, b) = (stack[sp - 2], stack[sp - 1]);
                    sp -= 1;
                    stack[sp - 1] = ((a as u64) >> (b & 63)) as i64;
                }
                OP_EQ => {
                    if sp - base < 2 {
                        break UNDERFLOW;
                    }
                    let (a, b) = (stack[sp - 2], stack[sp - 1]);
                    sp -= 1;
                    stack[sp - 1] = (a == b) as i64;
                }
                OP_NE => {
                    if sp - base < 2 {
                        break UNDERFLOW;
                    }
                    let (a, b) = (stack[sp - 2], stack[sp - 1]);
                    sp -= 1;
                    stack[sp - 1] = (a != b) as i64;
                }
                OP_LT => {
                    if sp - base < 2 {
                        break UNDERFLOW;
                    }
                    let (a, b) = (stack[sp - 2], stack[sp - 1]);
                    sp -= 1;
                    stack[sp - 1] = (a < b) as i64;
                }
                OP_LE => {
                    if sp - base < 2 {
                        break UNDERFLOW;
                    }
                    let (a, b) = (stack[sp - 2], stack[sp - 1]);
                    sp -= 1;
                    stack[sp - 1] = (a <= b) as i64;
                }
                OP_GT => {
                    if sp - base < 2 {
                        break UNDERFLOW;
                    }
                    let (a, b) = (stack[sp - 2], stack[sp - 1]);
                    sp -= 1;
                    stack[sp - 1] = (a > b) as i64;
                }
                OP_GE => {
                    if sp - base < 2 {
                        break UNDERFLOW;
                    }
                    let (a, b) = (stack[sp - 2], stack[sp - 1]);
                    sp -= 1;
                    stack[sp - 1] = (a >= b) as i64;
                }
                OP_DIV => {
                    if sp - base < 2 {
                        break UNDERFLOW;
                    }
                    let (a, b) = (stack[sp - 2], stack[sp - 1]);
                    if b == 0 {
                        break DIV_ZERO;
                    }
                    sp -= 1;
                    stack[sp - 1] = a.wrapping_div(b);
                }
                OP_MOD => {
                    if sp - base < 2 {
                        break UNDERFLOW;
                    }
                    let (a, b) = (stack[sp - 2], stack[sp - 1]);
                    if b == 0 {
                        break DIV_ZERO;
                    }
                    sp -= 1;
                    stack[sp - 1] = a.wrapping_rem(b);
                }
                OP_NEG => {
                    if sp == base {
                        break UNDERFLOW;
                    }
                    stack[sp - 1] = stack[sp - 1].wrapping_neg();
                }
                OP_NOT => {
                    if sp == base {
                        break UNDERFLOW;
                    }
                    stack[sp - 1] = !stack[sp - 1];
                }
                OP_LOADL => {
                    let i = ins.b as usize;
                    if i >= nloc {
                        break BAD_LOCAL;
                    }
                    if sp == STACK_CAP {
                        break OVERFLOW;
                    }
                    stack[sp] = locals[lbase + i];
                    sp += 1;
                }
                OP_STOREL => {
                    let i = ins.b as usize;
                    if i >= nloc {
                        break BAD_LOCAL;
                    }
                    if sp == base {
                        break UNDERFLOW;
                    }
                    sp -= 1;
                    locals[lbase + i] = stack[sp];
                }
                OP_LOADG => {
                    if sp == base {
                        break UNDERFLOW;
                    }
                    let addr = stack[sp - 1] as u64;
                    if addr >= mem.len() as u64 {
                        break BOUNDS;
                    }
                    stack[sp - 1] = mem[addr as usize];
                }
                OP_STOREG => {
                    if sp - base < 2 {
                        break UNDERFLOW;
                    }
                    let addr = stack[sp - 2] as u64;
                    if addr >= mem.len() as u64 {
                        break BOUNDS;
                    }
                    mem[addr as usize] = stack[sp - 1];
                    sp -= 2;
                }
                OP_JMP => pc = ins.a as usize,
                OP_JZ => {
                    if sp == base {
                        break UNDERFLOW;
                    }
                    sp -= 1;
                    if stack[sp] == 0 {
                        pc = ins.a as usize;
                    }
                }
                OP_JNZ => {
                    if sp == base {
                        break UNDERFLOW;
                    }
                    sp -= 1;
                    if stack[sp] != 0 {
                        pc = ins.a as usize;
                    }
                }
                OP_CALL => {
                    let (nargs, nl) = (ins.b as usize, ins.c as usize);
                    if sp - base < nargs {
                        break UNDERFLOW;
                    }
                    if depth == MAX_FRAMES || ltop + nl > LOCALS_CAP {
                        break CALL_DEPTH;
                    }
                    frames[depth] = Frame {
                        ret_pc: pc as u32,
                        locals_base: lbase as u32,
                        nlocals: nloc as u32,
                        stack_base: base as u32,
                    };
                    depth += 1;
                    sp -= nargs;
                    locals[ltop..ltop + nargs].copy_from_slice(&stack[sp..sp + nargs]);
                    locals[ltop + nargs..ltop + nl].fill(0);
                    lbase = ltop;
                    nloc = nl;
                    ltop += nl;
                    base = sp;
                    pc = ins.a as usize;
                }
                OP_RET => {
                    if depth == 0 {
                        break TOP_RET;
                    }
                    if sp == base {
                        break UNDERFLOW;
                    }
                    let v = stack[sp - 1];
                    sp = base;
                    depth -= 1;
                    let f = frames[depth];
                    ltop = lbase;
                    pc = f.ret_pc as usize;
                    lbase = f.locals_base as usize;
                    nloc = f.nlocals as usize;
                    base = f.stack_base as usize;
                    stack[sp] = v;
                    sp += 1;
                }
                OP_PRINT => {
                    if sp == base {
                        break UNDERFLOW;
                    }
                    sp -= 1;
                    writeln!(out, "{}", stack[sp]).map_err(RunError::Io)?;
                }
                _ => unreachable!("opcode validated on load"),
            }
        };
        Err(RunError::Fault(self.offsets[pc - 1], fault))
    }
}

/// The whole program: arguments in, exit code out.
pub fn run_main<O: Write, E: Write>(args: &[OsString], stdout: &mut O, stderr: &mut E) -> i32 {
    if args.len() != 1 {
        let _ = writeln!(stderr, "usage: bytecode-vm <program.bin>");
        return 2;
    }
    let path = &args[0];
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) => {
            let _ = writeln!(
                stderr,
                "bytecode-vm: {}: {}",
                path.to_string_lossy(),
                reason(&e)
            );
            return 1;
        }
    };
    let prog = match load(&data) {
        Ok(p) => p,
        Err(e) => {
            let _ = writeln!(stderr, "bytecode-vm: invalid bytecode: {e}");
            return 3;
        }
    };
    let mut w = BufWriter::with_capacity(64 * 1024, stdout);
    let mut result = prog.run(&mut w);
    if let Err(e) = w.flush() {
        if result.is_ok() {
            result = Err(RunError::Io(e));
        }
    }
    match result {
        Ok(()) => 0,
        Err(RunError::Fault(off, msg)) => {
            let _ = writeln!(stderr, "bytecode-vm: runtime error at offset {off}: {msg}");
            4
        }
        Err(RunError::Io(e)) => {
            let _ = writeln!(stderr, "bytecode-vm: stdout: {}", reason(&e));
            1
        }
    }
}

/// The OS reason of an I/O error, lower-cased, without Rust's " (os error N)" suffix.
fn reason(e: &io::Error) -> String {
    let s = e.to_string();
    let s = match s.find(" (os error") {
        Some(i) => &s[..i],
        None => &s[..],
    };
    // strerror style, as the other implementations print it: "no such file or directory".
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prog(main_locals: u8, memory: u32, code: &[u8]) -> Vec<u8> {
        let mut v = b"BCVM".to_vec();
        v.extend_from_slice(&1u16.to_le_bytes());
        v.push(main_locals);
        v.push(0);
        v.extend_from_slice(&memory.to_le_bytes());
        v.extend_from_slice(&(code.len() as u32).to_le_bytes());
        v.extend_from_slice(code);
        v
    }

    fn push(v: i64) -> Vec<u8> {
        let mut b = vec![OP_PUSH];
        b.extend_from_slice(&v.to_le_bytes());
        b
    }

    fn exec(bin: &[u8]) -> Result<String, String> {
        let p = load(bin).map_err(|e| format!("load: {e}"))?;
        let mut out = Vec::new();
        match p.run(&mut out) {
            Ok(()) => Ok(String::from_utf8(out).unwrap()),
            Err(RunError::Fault(off, m)) => Err(format!("{off}: {m}")),
            Err(RunError::Io(e)) => Err(e.to_string()),
        }
    }

    fn binop(a: i64, b: i64, op: u8) -> Result<String, String> {
        let mut c = push(a);
        c.extend(push(b));
        c.extend([op, OP_PRINT]);
        exec(&prog(0, 0, &c))
    }

    #[test]
    fn arithmetic_wraps_and_divides_toward_zero() {
        assert_eq!(
            binop(i64::MAX, 1, OP_ADD).unwrap(),
            "-9223372036854775808\n"
        );
        assert_eq!(
            binop(i64::MIN, -1, OP_DIV).unwrap(),
            "-9223372036854775808\n"
        );
        assert_eq!(binop(i64::MIN, -1, OP_MOD).unwrap(), "0\n");
        assert_eq!(binop(-7, 2, OP_DIV).unwrap(), "-3\n");
        assert_eq!(binop(-7, 2, OP_MOD).unwrap(), "-1\n");
        assert_eq!(binop(7, -2, OP_MOD).unwrap(), "1\n");
        assert_eq!(binop(1, 0, OP_DIV).unwrap_err(), "18: division by zero");
    }

    #[test]
    fn shifts_mask_the_count() {
        assert_eq!(binop(1, 65, OP_SHL).unwrap(), "2\n");
        assert_eq!(binop(-16, 2, OP_SHR).unwrap(), "-4\n");
        assert_eq!(binop(-1, 60, OP_USHR).unwrap(), "15\n");
    }

    #[test]
    fn validation_messages() {
        assert_eq!(load(b"BCV").err().unwrap().0, "bad magic");
        assert_eq!(load(b"BCVM\x01\x00").err().unwrap().0, "truncated header");
        assert_eq!(
            load(&prog(0, 0, &[0x07])).err().unwrap().0,
            "unknown opcode 0x07 at offset 0"
        );
        assert_eq!(
            load(&prog(0, 0, &[OP_PUSH, 1, 2])).err().unwrap().0,
            "truncated operand at offset 0"
        );
        assert_eq!(
            load(&prog(0, 0, &[OP_JMP, 2, 0, 0, 0, OP_HALT]))
                .err()
                .unwrap()
                .0,
            "bad jump target 2 at offset 0"
        );
        assert!(load(&prog(0, 0, &[OP_JMP, 5, 0, 0, 0])).is_ok());
    }

    #[test]
    fn stack_is_per_frame() {
        // push 1; call f 0 0; halt; f: pop  -> underflow inside f at offset 17
        let mut c = push(1);
        c.extend([OP_CALL, 17, 0, 0, 0, 0, 0, OP_HALT, OP_POP]);
        assert_eq!(exec(&prog(0, 0, &c)).unwrap_err(), "17: stack underflow");
    }
}
