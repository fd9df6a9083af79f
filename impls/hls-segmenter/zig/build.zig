const std = @import("std");

const av_libs = [_][]const u8{ "libavformat", "libavcodec", "libavutil" };

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{});
    const strip = b.option(bool, "strip", "Strip debug info from the executable (default: false)") orelse false;

    // The libav headers, translated to a Zig module (Zig 0.17 has no @cImport).
    const av = b.addTranslateC(.{
        .root_source_file = b.path("src/av.h"),
        .target = target,
        .optimize = optimize,
        .link_libc = true,
    });
    const av_module = av.createModule();

    const exe_module = b.createModule(.{
        .root_source_file = b.path("src/main.zig"),
        .target = target,
        .optimize = optimize,
        .strip = strip,
        .link_libc = true,
        .imports = &.{.{ .name = "av", .module = av_module }},
    });
    for (av_libs) |lib| exe_module.linkSystemLibrary(lib, .{});
    const exe = b.addExecutable(.{ .name = "hls-segmenter", .root_module = exe_module });
    b.installArtifact(exe);

    const run_cmd = b.addRunArtifact(exe);
    run_cmd.step.dependOn(b.getInstallStep());
    run_cmd.addPassthruArgs();
    b.step("run", "Run hls-segmenter").dependOn(&run_cmd.step);

    // The tests read the shared fixtures in ../testdata and run the built binary.
    const config = b.addOptions();
    config.addOptionPathDirectory("testdata", b.path("../testdata"));
    config.addOptionPath("exe", exe.getEmittedBin());
    const test_module = b.createModule(.{
        .root_source_file = b.path("src/main.zig"),
        .target = target,
        .optimize = optimize,
        .link_libc = true,
        .imports = &.{
            .{ .name = "av", .module = av_module },
            .{ .name = "config", .module = config.createModule() },
        },
    });
    for (av_libs) |lib| test_module.linkSystemLibrary(lib, .{});
    // playlist.zig embeds the expected playlist of the tiny fixture.
    test_module.addAnonymousImport("tiny.m3u8", .{ .root_source_file = b.path("../testdata/tiny.m3u8") });
    const tests = b.addTest(.{ .root_module = test_module });
    const run_tests = b.addRunArtifact(tests);
    // Tests read shared files and run programs at run time: never reuse a cached pass.
    run_tests.has_side_effects = true;
    b.step("test", "Run the unit tests, the fixture and fault tests and the command-line test").dependOn(&run_tests.step);
}
