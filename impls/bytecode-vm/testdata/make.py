#!/usr/bin/env python3
"""Regenerates the testdata cases: assembles every *.asm here with ../asm.py, writes the
hand-crafted malformed binaries, and writes each case's expected stdout (.out), stderr (.err)
and exit code (.code) from the table below (worked out by hand from the spec)."""
import os
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ASM = os.path.join(HERE, "..", "asm.py")


def header(code, memory=0, main_locals=0, version=1, reserved=0, code_len=None):
    n = len(code) if code_len is None else code_len
    return b"BCVM" + struct.pack("<HBBII", version, main_locals, reserved, memory, n) + code


def ivb(msg):
    return ("", f"bytecode-vm: invalid bytecode: {msg}\n", 3)


def rt(off, msg, out=""):
    return (out, f"bytecode-vm: runtime error at offset {off}: {msg}\n", 4)


MIN = "-9223372036854775808"
EXPECTED = {
    # programs that run to the end
    "arith": ("\n".join([MIN, "9223372036854775807", "4294967296", "-3", "-1", "1", MIN, "0", MIN,
                         "-5", "8", "14", "6", "-1", "2", MIN, "-4", "15", "1", "1", "0", "0", "0",
                         "1", "1", "2", "1", "2", "1", "81", "1"]) + "\n", "", 0),
    "calls": ("2432902008176640000\n40\n42\n7\n50\n", "", 0),
    "memory": ("328350\n9801\n0\n", "", 0),
    "loops": ("5050\n3\n2\n1\n", "", 0),
    "empty": ("", "", 0),
    # runtime errors
    "rt_divzero": rt(28, "division by zero", "1\n"),
    "rt_modzero": rt(18, "division by zero"),
    "rt_underflow": rt(9, "stack underflow"),
    "rt_callee_underflow": rt(26, "stack underflow"),
    "rt_ret_empty": rt(8, "stack underflow"),
    "rt_oob_store": rt(48, "memory access out of bounds", "7\n"),
    "rt_oob_load": rt(9, "memory access out of bounds"),
    "rt_bad_local": rt(3, "bad local index", "0\n"),
    "rt_top_ret": rt(9, "return from top level"),
    "rt_stack_overflow": rt(0, "stack overflow"),
    "rt_call_overflow": rt(0, "call stack overflow"),
    "rt_locals_overflow": rt(11, "call stack overflow"),
    # invalid bytecode (crafted below)
    "bad_magic": ivb("bad magic"),
    "short_magic": ivb("bad magic"),
    "truncated_header": ivb("truncated header"),
    "bad_version": ivb("unsupported version 2"),
    "bad_reserved": ivb("bad header"),
    "memory_too_large": ivb("memory too large"),
    "code_len_mismatch": ivb("code length mismatch"),
    "unknown_opcode": ivb("unknown opcode 0xff at offset 10"),
    "truncated_operand": ivb("truncated operand at offset 9"),
    "bad_jump_target": ivb("bad jump target 1 at offset 10"),
    "jump_past_end": ivb("bad jump target 7 at offset 1"),
    "bad_call": ivb("bad call at offset 0"),
}

PUSH1 = b"\x01" + struct.pack("<q", 1)
CRAFTED = {
    "bad_magic": b"BCVX" + header(b"")[4:],
    "short_magic": b"BC",
    "truncated_header": header(b"")[:15],
    "bad_version": header(b"", version=2),
    "bad_reserved": header(b"", reserved=1),
    "memory_too_large": header(b"", memory=(1 << 24) + 1),
    "code_len_mismatch": header(b"\x00\x00", code_len=3),
    # push 1; print; <0xff>  -> the unknown byte is at offset 10
    "unknown_opcode": header(PUSH1 + b"\x48\xff"),
    # push 1; push <only 3 bytes>
    "truncated_operand": header(PUSH1 + b"\x01\x00\x00\x00"),
    # push 1; print; jmp 1 (inside the push operand)
    "bad_jump_target": header(PUSH1 + b"\x48\x38" + struct.pack("<I", 1)),
    # halt; jmp 7 (code_len is 6; 6 would be allowed)
    "jump_past_end": header(b"\x00\x38" + struct.pack("<I", 7)),
    # call 0 with nargs 2, nlocals 1
    "bad_call": header(b"\x40" + struct.pack("<I", 0) + b"\x02\x01"),
}


def main():
    names = sorted(os.path.splitext(f)[0] for f in os.listdir(HERE) if f.endswith(".asm"))
    for name in names:
        subprocess.run([sys.executable, ASM, os.path.join(HERE, name + ".asm"),
                        "--out", os.path.join(HERE, name + ".bin")], check=True)
    for name, data in CRAFTED.items():
        with open(os.path.join(HERE, name + ".bin"), "wb") as f:
            f.write(data)
    missing = set(names) | set(CRAFTED)
    for name, (out, err, code) in EXPECTED.items():
        missing.discard(name)
        for ext, text in ((".out", out), (".err", err), (".code", f"{code}\n")):
            with open(os.path.join(HERE, name + ext), "w", newline="\n") as f:
                f.write(text)
    if missing:
        sys.exit(f"make.py: no expectation for {sorted(missing)}")


if __name__ == "__main__":
    main()
