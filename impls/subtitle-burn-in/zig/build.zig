const std = @import("std");

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{});
    const strip = b.option(bool, "strip", "Strip debug info from the executable (default: false)") orelse false;

    // FFmpeg's headers through translate-c; the include directories come from pkg-config.
    const translate = b.addTranslateC(.{
        .root_source_file = b.path("src/av.h"),
        .target = target,
        .optimize = optimize,
    });
    const cflags = b.run(&.{ "pkg-config", "--cflags-only-I", "libavformat", "libavcodec", "libavutil" });
    var it = std.mem.tokenizeAny(u8, cflags, " \t\r\n");
    while (it.next()) |flag| {
        if (std.mem.startsWith(u8, flag, "-I")) translate.addSystemIncludePath(.{ .cwd_relative = flag[2..] });
    }
    const av = translate.createModule();

    const exe = b.addExecutable(.{
        .name = "subtitle-burn-in",
        .root_module = makeModule(b, av, target, optimize, strip),
    });
    b.installArtifact(exe);

    const run_cmd = b.addRunArtifact(exe);
    run_cmd.step.dependOn(b.getInstallStep());
    run_cmd.addPassthruArgs();
    b.step("run", "Run subtitle-burn-in").dependOn(&run_cmd.step);

    // The tests read the shared test data (../testdata) at run time, by absolute path.
    const test_module = makeModule(b, av, target, optimize, false);
    const options = b.addOptions();
    options.addOptionPathUntracked("testdata", b.path("../testdata"));
    options.addOptionPathUntracked("shared_font", b.path("../font.hex"));
    test_module.addOptions("test_config", options);
    const tests = b.addTest(.{ .root_module = test_module });
    const run_tests = b.addRunArtifact(tests);
    // Tests read shared files and run programs at run time: never reuse a cached pass.
    run_tests.has_side_effects = true;
    b.step("test", "Run the unit and end-to-end tests").dependOn(&run_tests.step);
}

fn makeModule(
    b: *std.Build,
    av: *std.Build.Module,
    target: std.Build.ResolvedTarget,
    optimize: std.builtin.OptimizeMode,
    strip: bool,
) *std.Build.Module {
    const m = b.createModule(.{
        .root_source_file = b.path("src/main.zig"),
        .target = target,
        .optimize = optimize,
        .strip = strip,
        .link_libc = true,
    });
    m.addImport("av", av);
    // The font is embedded from the shared file (`@embedFile("font.hex")`).
    m.addAnonymousImport("font.hex", .{ .root_source_file = b.path("../font.hex") });
    for ([_][]const u8{ "libavformat", "libavcodec", "libavutil" }) |lib| m.linkSystemLibrary(lib, .{});
    return m;
}
