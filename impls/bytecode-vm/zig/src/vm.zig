//! Loading, validation, decoding and the interpreter loop (spec: ../../README.md).

const std = @import("std");
const Allocator = std.mem.Allocator;
const Io = std.Io;

pub const op_halt: u8 = 0x00;
pub const op_push: u8 = 0x01;
pub const op_pop: u8 = 0x02;
pub const op_dup: u8 = 0x03;
pub const op_swap: u8 = 0x04;
pub const op_over: u8 = 0x05;
pub const op_add: u8 = 0x10;
pub const op_sub: u8 = 0x11;
pub const op_mul: u8 = 0x12;
pub const op_div: u8 = 0x13;
pub const op_mod: u8 = 0x14;
pub const op_neg: u8 = 0x15;
pub const op_and: u8 = 0x18;
pub const op_or: u8 = 0x19;
pub const op_xor: u8 = 0x1A;
pub const op_not: u8 = 0x1B;
pub const op_shl: u8 = 0x1C;
pub const op_shr: u8 = 0x1D;
pub const op_ushr: u8 = 0x1E;
pub const op_eq: u8 = 0x20;
pub const op_ne: u8 = 0x21;
pub const op_lt: u8 = 0x22;
pub const op_le: u8 = 0x23;
pub const op_gt: u8 = 0x24;
pub const op_ge: u8 = 0x25;
pub const op_loadl: u8 = 0x28;
pub const op_storel: u8 = 0x29;
pub const op_loadg: u8 = 0x30;
pub const op_storeg: u8 = 0x31;
pub const op_jmp: u8 = 0x38;
pub const op_jz: u8 = 0x39;
pub const op_jnz: u8 = 0x3A;
pub const op_call: u8 = 0x40;
pub const op_ret: u8 = 0x41;
pub const op_print: u8 = 0x48;

const max_memory: u32 = 1 << 24;
const stack_cap: usize = 65536;
const max_frames: usize = 4096;
const locals_cap: usize = 65536;
const header_len: usize = 16;

/// Operand byte count of an opcode, or null if the opcode is invalid.
fn operandLen(op: u8) ?usize {
    return switch (op) {
        op_halt, op_pop, op_dup, op_swap, op_over, op_add, op_sub, op_mul, op_div, op_mod, op_neg, op_and, op_or, op_xor, op_not, op_shl, op_shr, op_ushr, op_eq, op_ne, op_lt, op_le, op_gt, op_ge, op_loadg, op_storeg, op_ret, op_print => 0,
        op_push => 8,
        op_loadl, op_storel => 1,
        op_jmp, op_jz, op_jnz => 4,
        op_call => 6,
        else => null,
    };
}

/// One decoded instruction: `a` is the push value or the target instruction index,
/// `b` the local index or nargs, `c` nlocals.
const Instr = struct {
    a: i64,
    op: u8,
    b: u8 = 0,
    c: u8 = 0,
};

/// A validated, decoded program.
pub const Program = struct {
    code: []Instr, // with a final halt for "end of code"
    offsets: []u32,
    memory: usize,
    main_locals: usize,

    pub fn deinit(p: *Program, gpa: Allocator) void {
        gpa.free(p.code);
        gpa.free(p.offsets);
    }
};

/// The message of a validation failure is written into `msg`.
pub const LoadResult = union(enum) {
    ok: Program,
    invalid: []const u8,
};

/// Validates and decodes a bytecode file. On a validation failure the returned message
/// lives in `msg_buf`.
pub fn load(gpa: Allocator, data: []const u8, msg_buf: []u8) Allocator.Error!LoadResult {
    const invalid = struct {
        fn f(buf: []u8, comptime fmt: []const u8, args: anytype) LoadResult {
            return .{ .invalid = std.fmt.bufPrint(buf, fmt, args) catch buf };
        }
    }.f;
    if (data.len < 4 or !std.mem.eql(u8, data[0..4], "BCVM")) return invalid(msg_buf, "bad magic", .{});
    if (data.len < header_len) return invalid(msg_buf, "truncated header", .{});
    const version = std.mem.readInt(u16, data[4..6], .little);
    if (version != 1) return invalid(msg_buf, "unsupported version {d}", .{version});
    if (data[7] != 0) return invalid(msg_buf, "bad header", .{});
    const memory = std.mem.readInt(u32, data[8..12], .little);
    if (memory > max_memory) return invalid(msg_buf, "memory too large", .{});
    const code_len = std.mem.readInt(u32, data[12..16], .little);
    if (code_len != data.len - header_len) return invalid(msg_buf, "code length mismatch", .{});
    const bytes = data[header_len..];

    var code: std.ArrayList(Instr) = .empty;
    defer code.deinit(gpa); // empty after toOwnedSlice; frees the lists on every other return
    var offsets: std.ArrayList(u32) = .empty;
    defer offsets.deinit(gpa);
    // index[off] = instruction index + 1 at instruction starts, 0 elsewhere.
    const index = try gpa.alloc(u32, bytes.len + 1);
    defer gpa.free(index);
    @memset(index, 0);

    var off: usize = 0;
    while (off < bytes.len) {
        const op = bytes[off];
        const n = operandLen(op) orelse
            return invalid(msg_buf, "unknown opcode 0x{x:0>2} at offset {d}", .{ op, off });
        if (off + 1 + n > bytes.len) return invalid(msg_buf, "truncated operand at offset {d}", .{off});
        const ops = bytes[off + 1 .. off + 1 + n];
        var ins: Instr = .{ .a = 0, .op = op };
        switch (n) {
            8 => ins.a = std.mem.readInt(i64, ops[0..8], .little),
            1 => ins.b = ops[0],
            4 => ins.a = std.mem.readInt(u32, ops[0..4], .little),
            6 => {
                ins.a = std.mem.readInt(u32, ops[0..4], .little);
                ins.b = ops[4];
                ins.c = ops[5];
                if (ins.c < ins.b) return invalid(msg_buf, "bad call at offset {d}", .{off});
            },
            else => {},
        }
        index[off] = @intCast(code.items.len + 1);
        try code.append(gpa, ins);
        try offsets.append(gpa, @intCast(off));
        off += 1 + n;
    }
    index[bytes.len] = @intCast(code.items.len + 1);
    for (code.items, 0..) |*ins, i| {
        switch (ins.op) {
            op_jmp, op_jz, op_jnz, op_call => {
                const t: usize = @intCast(ins.a);
                if (t > bytes.len or index[t] == 0)
                    return invalid(msg_buf, "bad jump target {d} at offset {d}", .{ t, offsets.items[i] });
                ins.a = index[t] - 1;
            },
            else => {},
        }
    }
    try code.append(gpa, .{ .a = 0, .op = op_halt });
    try offsets.append(gpa, @intCast(bytes.len));
    const offsets_owned = try offsets.toOwnedSlice(gpa);
    errdefer gpa.free(offsets_owned);
    return .{ .ok = .{
        .code = try code.toOwnedSlice(gpa),
        .offsets = offsets_owned,
        .memory = memory,
        .main_locals = data[6],
    } };
}

const Frame = struct {
    ret_pc: u32,
    locals_base: u32,
    nlocals: u32,
    stack_base: u32,
};

/// How a run ended.
pub const Outcome = union(enum) {
    /// Halted normally.
    ok,
    /// A runtime fault: offset of the faulting instruction and its message.
    fault: struct { offset: u32, msg: []const u8 },
};

const underflow = "stack underflow";
const overflow = "stack overflow";
const div_zero = "division by zero";
const bounds = "memory access out of bounds";
const bad_local = "bad local index";
const call_depth = "call stack overflow";
const top_ret = "return from top level";

/// Runs the program, printing to `out` (the caller flushes it).
pub fn run(gpa: Allocator, p: *const Program, out: *Io.Writer) (Allocator.Error || Io.Writer.Error)!Outcome {
    const code = p.code;
    const mem = try gpa.alloc(i64, p.memory);
    defer gpa.free(mem);
    @memset(mem, 0);
    const stack = try gpa.alloc(i64, stack_cap);
    defer gpa.free(stack);
    const locals = try gpa.alloc(i64, locals_cap);
    defer gpa.free(locals);
    @memset(locals, 0);
    const frames = try gpa.alloc(Frame, max_frames);
    defer gpa.free(frames);

    var pc: usize = 0;
    var sp: usize = 0; // values on the operand stack
    var base: usize = 0; // stack base of the current frame
    var lbase: usize = 0; // locals base of the current frame
    var nloc: usize = p.main_locals;
    var ltop: usize = nloc; // first free locals slot
    var depth: usize = 0; // active frames besides the top-level one

    const fault: []const u8 = loop: while (true) {
        const ins = code[pc];
        pc += 1;
        switch (ins.op) {
            op_halt => return .ok,
            op_push => {
                if (sp == stack_cap) break :loop overflow;
                stack[sp] = ins.a;
                sp += 1;
            },
            op_pop => {
                if (sp == base) break :loop underflow;
                sp -= 1;
            },
            op_dup => {
                if (sp == base) break :loop underflow;
                if (sp == stack_cap) break :loop overflow;
                stack[sp] = stack[sp - 1];
                sp += 1;
            },
            op_swap => {
                if (sp - base < 2) break :loop underflow;
                std.mem.swap(i64, &stack[sp - 1], &stack[sp - 2]);
            },
            op_over => {
                if (sp - base < 2) break :loop underflow;
                if (sp == stack_cap) break :loop overflow;
                stack[sp] = stack[sp - 2];
                sp += 1;
            },
            op_add => {
                if (sp - base < 2) break :loop underflow;
                const a = stack[sp - 2];
                const b = stack[sp - 1];
                sp -= 1;
                stack[sp - 1] = a +% b;
            },
            op_sub => {
                if (sp - base < 2) break :loop underflow;
                const a = stack[sp - 2];
                const b = stack[sp - 1];
                sp -= 1;
                stack[sp - 1] = a -% b;
            },
            op_mul => {
                if (sp - base < 2) break :loop underflow;
                const a = stack[sp - 2];
                const b = stack[sp - 1];
                sp -= 1;
                stack[sp - 1] = a *% b;
            },
            op_and => {
                if (sp - base < 2) break :loop underflow;
                const a = stack[sp - 2];
                const b = stack[sp - 1];
                sp -= 1;
                stack[sp - 1] = a & b;
            },
            op_or => {
                if (sp - base < 2) break :loop underflow;
                const a = stack[sp - 2];
                const b = stack[sp - 1];
                sp -= 1;
                stack[sp - 1] = a | b;
            },
            op_xor => {
                if (sp - base < 2) break :loop underflow;
                const a = stack[sp - 2];
                const b = stack[sp - 1];
                sp -= 1;
                stack[sp - 1] = a ^ b;
            },
            op_shl => {
                if (sp - base < 2) break :loop underflow;
                const a = stack[sp - 2];
                const b = stack[sp - 1];
                sp -= 1;
                stack[sp - 1] = a << @as(u6, @intCast(b & 63));
            },
            op_shr => {
                if (sp - base < 2) break :loop underflow;
                const a = stack[sp - 2];
                const b = stack[sp - 1];
                sp -= 1;
                stack[sp - 1] = a >> @as(u6, @intCast(b & 63));
            },
            op_ushr => {
                if (sp - base < 2) break :loop underflow;
                const a = stack[sp - 2];
                const b = stack[sp - 1];
                sp -= 1;
                stack[sp - 1] = @bitCast(@as(u64, @bitCast(a)) >> @as(u6, @intCast(b & 63)));
            },
            op_eq => {
                if (sp - base < 2) break :loop underflow;
                const a = stack[sp - 2];
                const b = stack[sp - 1];
                sp -= 1;
                stack[sp - 1] = @intFromBool(a == b);
            },
            op_ne => {
                if (sp - base < 2) break :loop underflow;
                const a = stack[sp - 2];
                const b = stack[sp - 1];
                sp -= 1;
                stack[sp - 1] = @intFromBool(a != b);
            },
            op_lt => {
                if (sp - base < 2) break :loop underflow;
                const a = stack[sp - 2];
                const b = stack[sp - 1];
                sp -= 1;
                stack[sp - 1] = @intFromBool(a < b);
            },
            op_le => {
                if (sp - base < 2) break :loop underflow;
                const a = stack[sp - 2];
                const b = stack[sp - 1];
                sp -= 1;
                stack[sp - 1] = @intFromBool(a <= b);
            },
            op_gt => {
                if (sp - base < 2) break :loop underflow;
                const a = stack[sp - 2];
                const b = stack[sp - 1];
                sp -= 1;
                stack[sp - 1] = @intFromBool(a > b);
            },
            op_ge => {
                if (sp - base < 2) break :loop underflow;
                const a = stack[sp - 2];
                const b = stack[sp - 1];
                sp -= 1;
                stack[sp - 1] = @intFromBool(a >= b);
            },
            op_div => {
                if (sp - base < 2) break :loop underflow;
                const a = stack[sp - 2];
                const b = stack[sp - 1];
                if (b == 0) break :loop div_zero;
                sp -= 1;
                stack[sp - 1] = if (b == -1) 0 -% a else @divTrunc(a, b); // MIN / -1 wraps to MIN, MIN % -1 = 0
            },
            op_mod => {
                if (sp - base < 2) break :loop underflow;
                const a = stack[sp - 2];
                const b = stack[sp - 1];
                if (b == 0) break :loop div_zero;
                sp -= 1;
                stack[sp - 1] = if (b == -1) 0 else @rem(a, b); // MIN / -1 wraps to MIN, MIN % -1 = 0
            },
            op_neg => {
                if (sp == base) break :loop underflow;
                stack[sp - 1] = 0 -% stack[sp - 1];
            },
            op_not => {
                if (sp == base) break :loop underflow;
                stack[sp - 1] = ~stack[sp - 1];
            },
            op_loadl => {
                const i: usize = ins.b;
                if (i >= nloc) break :loop bad_local;
                if (sp == stack_cap) break :loop overflow;
                stack[sp] = locals[lbase + i];
                sp += 1;
            },
            op_storel => {
                const i: usize = ins.b;
                if (i >= nloc) break :loop bad_local;
                if (sp == base) break :loop underflow;
                sp -= 1;
                locals[lbase + i] = stack[sp];
            },
            op_loadg => {
                if (sp == base) break :loop underflow;
                const addr: u64 = @bitCast(stack[sp - 1]);
                if (addr >= mem.len) break :loop bounds;
                stack[sp - 1] = mem[@intCast(addr)];
            },
            op_storeg => {
                if (sp - base < 2) break :loop underflow;
                const addr: u64 = @bitCast(stack[sp - 2]);
                if (addr >= mem.len) break :loop bounds;
                mem[@intCast(addr)] = stack[sp - 1];
                sp -= 2;
            },
            op_jmp => pc = @intCast(ins.a),
            op_jz => {
                if (sp == base) break :loop underflow;
                sp -= 1;
                if (stack[sp] == 0) pc = @intCast(ins.a);
            },
            op_jnz => {
                if (sp == base) break :loop underflow;
                sp -= 1;
                if (stack[sp] != 0) pc = @intCast(ins.a);
            },
            op_call => {
                const nargs: usize = ins.b;
                const nl: usize = ins.c;
                if (sp - base < nargs) break :loop underflow;
                if (depth == max_frames or ltop + nl > locals_cap) break :loop call_depth;
                frames[depth] = .{
                    .ret_pc = @intCast(pc),
                    .locals_base = @intCast(lbase),
                    .nlocals = @intCast(nloc),
                    .stack_base = @intCast(base),
                };
                depth += 1;
                sp -= nargs;
                @memcpy(locals[ltop .. ltop + nargs], stack[sp .. sp + nargs]);
                @memset(locals[ltop + nargs .. ltop + nl], 0);
                lbase = ltop;
                nloc = nl;
                ltop += nl;
                base = sp;
                pc = @intCast(ins.a);
            },
            op_ret => {
                if (depth == 0) break :loop top_ret;
                if (sp == base) break :loop underflow;
                const v = stack[sp - 1];
                sp = base;
                depth -= 1;
                const f = frames[depth];
                ltop = lbase;
                pc = f.ret_pc;
                lbase = f.locals_base;
                nloc = f.nlocals;
                base = f.stack_base;
                stack[sp] = v;
                sp += 1;
            },
            op_print => {
                if (sp == base) break :loop underflow;
                sp -= 1;
                try out.print("{d}\n", .{stack[sp]});
            },
            else => unreachable, // opcodes are validated on load
        }
    };
    return .{ .fault = .{ .offset = p.offsets[pc - 1], .msg = fault } };
}

// ---------------------------------------------------------------- tests

fn testProgram(main_locals: u8, memory: u32, code: []const u8) ![]u8 {
    const gpa = std.testing.allocator;
    const v = try gpa.alloc(u8, 16 + code.len);
    @memcpy(v[0..4], "BCVM");
    std.mem.writeInt(u16, v[4..6], 1, .little);
    v[6] = main_locals;
    v[7] = 0;
    std.mem.writeInt(u32, v[8..12], memory, .little);
    std.mem.writeInt(u32, v[12..16], @intCast(code.len), .little);
    @memcpy(v[16..], code);
    return v;
}

fn pushBytes(v: i64) [9]u8 {
    var b: [9]u8 = undefined;
    b[0] = op_push;
    std.mem.writeInt(i64, b[1..9], v, .little);
    return b;
}

/// Runs a binary operation on a and b and returns what it prints or its fault.
fn binop(a: i64, b: i64, op: u8, buf: []u8) ![]const u8 {
    const gpa = std.testing.allocator;
    const code = pushBytes(a) ++ pushBytes(b) ++ [_]u8{ op, op_print };
    const bin = try testProgram(0, 0, &code);
    defer gpa.free(bin);
    var msg: [128]u8 = undefined;
    var p = switch (try load(gpa, bin, &msg)) {
        .ok => |p| p,
        .invalid => return error.Invalid,
    };
    defer p.deinit(gpa);
    var out: Io.Writer = .fixed(buf);
    return switch (try run(gpa, &p, &out)) {
        .ok => out.buffered(),
        .fault => |f| try std.fmt.bufPrint(buf, "{d}: {s}", .{ f.offset, f.msg }),
    };
}

test "arithmetic wraps and divides toward zero" {
    var buf: [128]u8 = undefined;
    const min = std.math.minInt(i64);
    try std.testing.expectEqualStrings("-9223372036854775808\n", try binop(std.math.maxInt(i64), 1, op_add, &buf));
    try std.testing.expectEqualStrings("-9223372036854775808\n", try binop(min, -1, op_div, &buf));
    try std.testing.expectEqualStrings("0\n", try binop(min, -1, op_mod, &buf));
    try std.testing.expectEqualStrings("-3\n", try binop(-7, 2, op_div, &buf));
    try std.testing.expectEqualStrings("-1\n", try binop(-7, 2, op_mod, &buf));
    try std.testing.expectEqualStrings("1\n", try binop(7, -2, op_mod, &buf));
    try std.testing.expectEqualStrings("18: division by zero", try binop(1, 0, op_div, &buf));
}

test "shifts mask the count" {
    var buf: [128]u8 = undefined;
    try std.testing.expectEqualStrings("2\n", try binop(1, 65, op_shl, &buf));
    try std.testing.expectEqualStrings("-4\n", try binop(-16, 2, op_shr, &buf));
    try std.testing.expectEqualStrings("15\n", try binop(-1, 60, op_ushr, &buf));
}

fn expectInvalid(expected: []const u8, data: []const u8) !void {
    var msg: [128]u8 = undefined;
    switch (try load(std.testing.allocator, data, &msg)) {
        .ok => |p| {
            var q = p;
            q.deinit(std.testing.allocator);
            return error.TestUnexpectedResult;
        },
        .invalid => |m| try std.testing.expectEqualStrings(expected, m),
    }
}

test "validation messages" {
    const gpa = std.testing.allocator;
    try expectInvalid("bad magic", "BCV");
    try expectInvalid("truncated header", "BCVM\x01\x00");
    const cases = [_]struct { code: []const u8, msg: []const u8 }{
        .{ .code = &.{0x07}, .msg = "unknown opcode 0x07 at offset 0" },
        .{ .code = &.{ op_push, 1, 2 }, .msg = "truncated operand at offset 0" },
        .{ .code = &.{ op_jmp, 2, 0, 0, 0, op_halt }, .msg = "bad jump target 2 at offset 0" },
    };
    for (cases) |c| {
        const bin = try testProgram(0, 0, c.code);
        defer gpa.free(bin);
        try expectInvalid(c.msg, bin);
    }
}
