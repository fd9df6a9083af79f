const std = @import("std");

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{});
    const strip = b.option(bool, "strip", "Strip debug info from the executable (default: false)") orelse false;

    const exe = b.addExecutable(.{
        .name = "gateway",
        .root_module = b.createModule(.{
            .root_source_file = b.path("src/main.zig"),
            .target = target,
            .optimize = optimize,
            .strip = strip,
        }),
    });
    b.installArtifact(exe);

    const run_cmd = b.addRunArtifact(exe);
    run_cmd.step.dependOn(b.getInstallStep());
    run_cmd.addPassthruArgs();
    b.step("run", "Run the gateway").dependOn(&run_cmd.step);

    // The tests read the shared test material from ../testdata. @embedFile cannot reach outside
    // the package, so each file is imported as an anonymous module.
    const test_module = b.createModule(.{
        .root_source_file = b.path("src/main.zig"),
        .target = target,
        .optimize = optimize,
    });
    for ([_][]const u8{ "cases.json", "hs256.secret", "rs256-public.pem", "rs256-private.pem" }) |name| {
        test_module.addAnonymousImport(name, .{ .root_source_file = b.path(b.fmt("../testdata/{s}", .{name})) });
    }
    const tests = b.addTest(.{ .root_module = test_module });
    const run_tests = b.addRunArtifact(tests);
    // Tests read shared files and run programs at run time: never reuse a cached pass.
    run_tests.has_side_effects = true;
    b.step("test", "Run the unit tests, the shared token cases and the in-process gateway tests").dependOn(&run_tests.step);
}
