const std = @import("std");

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{});
    const strip = b.option(bool, "strip", "Strip debug info from the executable (default: false)") orelse false;

    // sqlite3.h through translate-c (Zig 0.17 has no @cImport); linked to the system libsqlite3.
    const sqlite = b.addTranslateC(.{
        .root_source_file = b.path("src/sqlite3.h"),
        .target = target,
        .optimize = optimize,
    });

    const exe_module = b.createModule(.{
        .root_source_file = b.path("src/main.zig"),
        .target = target,
        .optimize = optimize,
        .strip = strip,
        .link_libc = true,
    });
    exe_module.addImport("c", sqlite.createModule());
    exe_module.linkSystemLibrary("sqlite3", .{});
    const exe = b.addExecutable(.{ .name = "vector-ingester", .root_module = exe_module });
    b.installArtifact(exe);

    const run_cmd = b.addRunArtifact(exe);
    run_cmd.step.dependOn(b.getInstallStep());
    run_cmd.addPassthruArgs();
    b.step("run", "Run vector-ingester").dependOn(&run_cmd.step);

    // The tests read the shared cases from ../testdata at run time, so they run in this folder.
    const test_module = b.createModule(.{
        .root_source_file = b.path("src/tests.zig"),
        .target = target,
        .optimize = optimize,
        .link_libc = true,
    });
    test_module.addImport("c", sqlite.createModule());
    test_module.linkSystemLibrary("sqlite3", .{});
    const tests = b.addTest(.{ .root_module = test_module });
    const run_tests = b.addRunArtifact(tests);
    // Tests read shared files and run programs at run time: never reuse a cached pass.
    run_tests.has_side_effects = true;
    run_tests.setCwd(b.path("."));
    b.step("test", "Run the unit tests, the shared cases and the fault tests").dependOn(&run_tests.step);
}
