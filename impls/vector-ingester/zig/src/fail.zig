//! A failure: what it concerns (a path) and what went wrong, printed by main as
//! `vector-ingester: <subject>: <reason>`. Functions that fail fill one and return error.Failed.

const std = @import("std");

pub const Failure = struct {
    subject_buf: [4096]u8 = undefined,
    subject_len: usize = 0,
    reason_buf: [1024]u8 = undefined,
    reason_len: usize = 0,

    pub fn set(f: *Failure, what: []const u8, why: []const u8) error{Failed} {
        f.record(what, why);
        return error.Failed;
    }

    pub fn record(f: *Failure, what: []const u8, why: []const u8) void {
        f.subject_len = @min(what.len, f.subject_buf.len);
        @memcpy(f.subject_buf[0..f.subject_len], what[0..f.subject_len]);
        f.reason_len = @min(why.len, f.reason_buf.len);
        @memcpy(f.reason_buf[0..f.reason_len], why[0..f.reason_len]);
    }

    pub fn subject(f: *const Failure) []const u8 {
        return f.subject_buf[0..f.subject_len];
    }

    pub fn reason(f: *const Failure) []const u8 {
        return f.reason_buf[0..f.reason_len];
    }
};

/// A short lowercase description of an error, in the style of strerror.
pub fn reasonOf(err: anyerror) []const u8 {
    return switch (err) {
        error.FileNotFound => "no such file or directory",
        error.AccessDenied, error.PermissionDenied => "permission denied",
        error.IsDir => "is a directory",
        error.NotDir => "not a directory",
        error.SymLinkLoop => "too many levels of symbolic links",
        error.InputOutput => "input/output error",
        error.NameTooLong => "file name too long",
        error.TruncatedArchive => "truncated archive",
        error.OutOfMemory => "out of memory",
        error.SystemResources => "insufficient system resources",
        error.ProcessFdQuotaExceeded, error.SystemFdQuotaExceeded => "too many open files",
        else => @errorName(err),
    };
}
