const std = @import("std");

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{});
    const strip = b.option(bool, "strip", "Strip debug info from the executable (default: false)") orelse false;

    const exe = b.addExecutable(.{
        .name = "bytecode-vm",
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
    b.step("run", "Run bytecode-vm").dependOn(&run_cmd.step);

    // The shared cases in ../testdata are read at test time from this absolute path.
    const options = b.addOptions();
    options.addOptionPathDirectory("testdata", b.path("../testdata"));
    const test_module = b.createModule(.{
        .root_source_file = b.path("src/main.zig"),
        .target = target,
        .optimize = optimize,
    });
    test_module.addOptions("build_options", options);
    const tests = b.addTest(.{ .root_module = test_module });
    const run_tests = b.addRunArtifact(tests);
    // Tests read shared files and run programs at run time: never reuse a cached pass.
    run_tests.has_side_effects = true;
    b.step("test", "Run the unit tests and the shared testdata cases").dependOn(&run_tests.step);
}
