const std = @import("std");

/// The FFmpeg libraries the program links (found through pkg-config, like cgo's #cgo pkg-config).
const av_libs = [_][]const u8{ "libavformat", "libavcodec", "libswscale", "libavutil" };

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{});
    const strip = b.option(bool, "strip", "Strip debug info from the executable (default: false)") orelse false;

    // Zig 0.17 has no @cImport: the libav headers are translated once into a module `av`.
    const translate = b.addTranslateC(.{
        .root_source_file = b.path("src/av.h"),
        .target = target,
        .optimize = optimize,
        .link_libc = true,
    });
    // Debian keeps the libav headers in a multiarch folder (/usr/include/x86_64-linux-gnu);
    // pkg-config says where, as it does for cgo and ffmpeg-sys-next.
    const includedir = std.mem.trim(u8, b.run(&.{ "pkg-config", "--variable=includedir", "libavformat" }), " \r\n");
    translate.addSystemIncludePath(.{ .cwd_relative = includedir });
    const av = translate.createModule();

    const exe = b.addExecutable(.{
        .name = "video-frame-extractor",
        .root_module = makeModule(b, "src/main.zig", target, optimize, strip, av),
    });
    b.installArtifact(exe);

    const run_cmd = b.addRunArtifact(exe);
    run_cmd.step.dependOn(b.getInstallStep());
    run_cmd.addPassthruArgs();
    b.step("run", "Run video-frame-extractor").dependOn(&run_cmd.step);

    const tests = b.addTest(.{ .root_module = makeModule(b, "src/main.zig", target, optimize, false, av) });
    const run_tests = b.addRunArtifact(tests);
    // Tests read shared files and run programs at run time: never reuse a cached pass.
    run_tests.has_side_effects = true;
    // The tests read ../testdata relative to this folder.
    run_tests.setCwd(b.path("."));
    b.step("test", "Run the unit and end-to-end tests").dependOn(&run_tests.step);
}

fn makeModule(
    b: *std.Build,
    root: []const u8,
    target: std.Build.ResolvedTarget,
    optimize: std.builtin.OptimizeMode,
    strip: bool,
    av: *std.Build.Module,
) *std.Build.Module {
    const m = b.createModule(.{
        .root_source_file = b.path(root),
        .target = target,
        .optimize = optimize,
        .strip = strip,
        .link_libc = true,
    });
    m.addImport("av", av);
    for (av_libs) |lib| m.linkSystemLibrary(lib, .{});
    return m;
}
