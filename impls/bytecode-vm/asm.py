#!/usr/bin/env python3
"""Assembler for the bytecode-vm text assembly language (spec: README.md, "Assembly language").

usage: asm.py SOURCE.asm [--define NAME=VALUE ...] --out OUT.bin

Writes the binary program described in README.md ("Bytecode format"). On any error it prints
`asm.py: FILE:LINE: message` (or `asm.py: message`) on stderr, writes nothing and exits 1.
"""
import ast
import struct
import sys

MAGIC = b"BCVM"
VERSION = 1
MAX_MEMORY = 1 << 24

# mnemonic -> (opcode, operand kinds); kinds: i64 (value), u8, target (label -> u32 offset)
OPS = {
    "halt": (0x00, ()), "push": (0x01, ("i64",)), "pop": (0x02, ()), "dup": (0x03, ()),
    "swap": (0x04, ()), "over": (0x05, ()),
    "add": (0x10, ()), "sub": (0x11, ()), "mul": (0x12, ()), "div": (0x13, ()),
    "mod": (0x14, ()), "neg": (0x15, ()),
    "and": (0x18, ()), "or": (0x19, ()), "xor": (0x1A, ()), "not": (0x1B, ()),
    "shl": (0x1C, ()), "shr": (0x1D, ()), "ushr": (0x1E, ()),
    "eq": (0x20, ()), "ne": (0x21, ()), "lt": (0x22, ()), "le": (0x23, ()),
    "gt": (0x24, ()), "ge": (0x25, ()),
    "loadl": (0x28, ("u8",)), "storel": (0x29, ("u8",)),
    "loadg": (0x30, ()), "storeg": (0x31, ()),
    "jmp": (0x38, ("target",)), "jz": (0x39, ("target",)), "jnz": (0x3A, ("target",)),
    "call": (0x40, ("target", "u8", "u8")), "ret": (0x41, ()),
    "print": (0x48, ()),
}
SIZES = {"i64": 8, "u8": 1, "target": 4}


class AsmError(Exception):
    pass


def evaluate(text, names):
    """Integer expression: literals, names, + - * // % << >> & | ^ ~, unary -, parentheses,
    min(a, b), max(a, b). `/` is integer division (floor)."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise AsmError(f"bad expression {text.strip()!r}")

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
            return node.value
        if isinstance(node, ast.Name):
            if node.id not in names:
                raise AsmError(f"unknown name {node.id!r}")
            return names[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Invert)):
            v = ev(node.operand)
            return -v if isinstance(node.op, ast.USub) else (~v if isinstance(node.op, ast.Invert) else v)
        if isinstance(node, ast.BinOp):
            a, b = ev(node.left), ev(node.right)
            ops = {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
                   ast.Div: lambda: a // b, ast.FloorDiv: lambda: a // b, ast.Mod: lambda: a % b,
                   ast.LShift: lambda: a << b, ast.RShift: lambda: a >> b,
                   ast.BitAnd: lambda: a & b, ast.BitOr: lambda: a | b, ast.BitXor: lambda: a ^ b}
            for k, f in ops.items():
                if isinstance(node.op, k):
                    try:
                        return f()
                    except (ZeroDivisionError, ValueError):
                        raise AsmError(f"bad expression {text.strip()!r}")
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("min", "max") and len(node.args) == 2 and not node.keywords):
            f = min if node.func.id == "min" else max
            return f(ev(node.args[0]), ev(node.args[1]))
        raise AsmError(f"bad expression {text.strip()!r}")

    return ev(tree)


def split_operands(rest):
    """Split on commas or whitespace at parenthesis depth 0."""
    out, cur, depth = [], "", 0
    for ch in rest:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if depth == 0 and (ch == "," or ch.isspace()):
            if cur:
                out.append(cur)
            cur = ""
            continue
        cur += ch
    if cur:
        out.append(cur)
    return out


def assemble(src_name, text, defines):
    names = {}
    memory, main_locals = 0, 0
    items = []  # (lineno, mnemonic, operand texts, offset)
    labels = {}
    offset = 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split(";", 1)[0].split("#", 1)[0].strip()
        try:
            while True:
                head = line.split(None, 1)[0] if line else ""
                if head.endswith(":") and head[:-1].isidentifier():
                    name = head[:-1]
                    if name in labels:
                        raise AsmError(f"label {name!r} defined twice")
                    labels[name] = offset
                    line = line[len(head):].strip()
                    continue
                break
            if not line:
                continue
            parts = line.split(None, 1)
            word, rest = parts[0].lower(), (parts[1] if len(parts) > 1 else "")
            if word == ".param":
                ops = split_operands(rest)
                if len(ops) != 2 or not ops[0].isidentifier():
                    raise AsmError(".param takes NAME DEFAULT")
                names[ops[0]] = defines.pop(ops[0]) if ops[0] in defines else evaluate(ops[1], names)
            elif word == ".const":
                ops = split_operands(rest)
                if len(ops) != 2 or not ops[0].isidentifier():
                    raise AsmError(".const takes NAME VALUE")
                if ops[0] in names:
                    raise AsmError(f"name {ops[0]!r} defined twice")
                names[ops[0]] = evaluate(ops[1], names)
            elif word == ".memory":
                memory = evaluate(rest, names)
                if not 0 <= memory <= MAX_MEMORY:
                    raise AsmError(f".memory must be 0..{MAX_MEMORY}, got {memory}")
            elif word == ".locals":
                main_locals = evaluate(rest, names)
                if not 0 <= main_locals <= 255:
                    raise AsmError(f".locals must be 0..255, got {main_locals}")
            elif word in OPS:
                kinds = OPS[word][1]
                ops = split_operands(rest)
                if len(ops) != len(kinds):
                    raise AsmError(f"{word} takes {len(kinds)} operand(s), got {len(ops)}")
                items.append((lineno, word, ops, offset))
                offset += 1 + sum(SIZES[k] for k in kinds)
            else:
                raise AsmError(f"unknown instruction or directive {parts[0]!r}")
        except AsmError as e:
            raise AsmError(f"{src_name}:{lineno}: {e}")
    if defines:
        raise AsmError(f"--define of undeclared .param: {', '.join(sorted(defines))}")

    code = bytearray()
    for lineno, word, ops, off in items:
        opcode, kinds = OPS[word]
        code.append(opcode)
        try:
            for kind, op in zip(kinds, ops):
                if kind == "target":
                    if op not in labels:
                        raise AsmError(f"unknown label {op!r}")
                    code += struct.pack("<I", labels[op])
                    continue
                v = evaluate(op, names)
                if kind == "u8":
                    if not 0 <= v <= 255:
                        raise AsmError(f"operand {v} out of range 0..255")
                    code.append(v)
                else:
                    if not -(1 << 63) <= v < (1 << 63):
                        raise AsmError(f"operand {v} out of i64 range")
                    code += struct.pack("<q", v)
        except AsmError as e:
            raise AsmError(f"{src_name}:{lineno}: {e}")
    header = MAGIC + struct.pack("<HBBII", VERSION, main_locals, 0, memory, len(code))
    return header + bytes(code)


def main(argv):
    src, out, defines = None, None, {}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--out", "--define", "-D") and i + 1 < len(argv):
            if a == "--out":
                out = argv[i + 1]
            else:
                name, eq, value = argv[i + 1].partition("=")
                if not eq or not name.isidentifier():
                    raise AsmError(f"bad --define {argv[i + 1]!r} (want NAME=INTEGER)")
                try:
                    defines[name] = int(value, 0)
                except ValueError:
                    raise AsmError(f"bad --define {argv[i + 1]!r} (want NAME=INTEGER)")
            i += 2
        elif src is None and not a.startswith("-"):
            src = a
            i += 1
        else:
            raise AsmError("usage: asm.py SOURCE.asm [--define NAME=VALUE ...] --out OUT.bin")
    if src is None or out is None:
        raise AsmError("usage: asm.py SOURCE.asm [--define NAME=VALUE ...] --out OUT.bin")
    try:
        with open(src, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise AsmError(f"{src}: {e.strerror}")
    data = assemble(src, text, defines)
    try:
        with open(out, "wb") as f:
            f.write(data)
    except OSError as e:
        raise AsmError(f"{out}: {e.strerror}")


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except AsmError as e:
        print(f"asm.py: {e}", file=sys.stderr)
        sys.exit(1)
