//! README.md and README.th.md are one page in two languages: only their status parts are
//! generated, so the hand-written parts could drift apart unseen. This test holds them to the
//! same outline (heading levels, in order), the same code blocks (comments may be translated, the
//! code may not) and the same commands quoted in the text.

use std::collections::BTreeSet;
use std::path::Path;

/// What must agree between the two pages.
#[derive(Debug, Default)]
struct Shape {
    /// Heading levels in order, with the line of each (for the message).
    headings: Vec<(usize, usize, String)>,
    /// Fenced code blocks: info string and code without comments.
    blocks: Vec<(String, String)>,
    /// Inline code that is a command: `runner …`, `cargo …`, `scripts/…`, `apt-get …`.
    commands: BTreeSet<String>,
}

/// A line of code without its comment: whole-line `#` comments go, as does ` # …` at the end.
fn strip_comment(line: &str) -> Option<String> {
    let t = line.trim_start();
    if t.starts_with('#') || t.starts_with("//") {
        return None;
    }
    let code = match line.find(" #") {
        Some(i) => &line[..i],
        None => line,
    };
    Some(code.trim_end().to_string())
}

fn is_command(code: &str) -> bool {
    [
        "runner ",
        "cargo ",
        "scripts/",
        "apt-get ",
        "sudo ",
        "./target/",
    ]
    .iter()
    .any(|p| code.starts_with(p))
}

fn shape(text: &str) -> Shape {
    let mut s = Shape::default();
    let mut fence: Option<(String, Vec<String>)> = None;
    let mut prose = String::new();
    for (n, line) in text.lines().enumerate() {
        if let Some((info, body)) = fence.as_mut() {
            if line.starts_with("```") {
                s.blocks.push((info.clone(), body.join("\n")));
                fence = None;
            } else if let Some(code) = strip_comment(line) {
                body.push(code);
            }
            continue;
        }
        if let Some(info) = line.strip_prefix("```") {
            fence = Some((info.trim().to_string(), Vec::new()));
            continue;
        }
        let level = line.chars().take_while(|&c| c == '#').count();
        if level > 0 && line[level..].starts_with(' ') {
            s.headings.push((level, n + 1, line.to_string()));
        }
        prose.push_str(line);
        prose.push('\n');
    }
    // Inline code may wrap onto the next line: spans are taken from the prose as a whole.
    for (i, part) in prose.split('`').enumerate() {
        let code = part.split_whitespace().collect::<Vec<_>>().join(" ");
        if i % 2 == 1 && is_command(&code) {
            s.commands.insert(code);
        }
    }
    s
}

fn read(name: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    std::fs::read_to_string(root.join(name)).unwrap()
}

/// Every difference between two pages, as lines a person can act on.
fn differences(en: &str, th: &str) -> Vec<String> {
    let (e, t) = (shape(en), shape(th));
    let mut out = Vec::new();
    let levels = |s: &Shape| s.headings.iter().map(|h| h.0).collect::<Vec<_>>();
    if levels(&e) != levels(&t) {
        // The first heading where the outlines part.
        let i = e
            .headings
            .iter()
            .zip(&t.headings)
            .position(|(a, b)| a.0 != b.0)
            .unwrap_or(e.headings.len().min(t.headings.len()));
        let at = |s: &Shape| {
            s.headings
                .get(i)
                .map(|h| format!("line {}: {}", h.1, h.2))
                .unwrap_or_else(|| "(no more headings)".into())
        };
        out.push(format!(
            "the outlines differ at heading {}: README.md {} — README.th.md {}",
            i + 1,
            at(&e),
            at(&t)
        ));
    }
    if e.blocks.len() != t.blocks.len() {
        out.push(format!(
            "README.md has {} code blocks, README.th.md {}",
            e.blocks.len(),
            t.blocks.len()
        ));
    }
    for (i, (a, b)) in e.blocks.iter().zip(&t.blocks).enumerate() {
        if a != b {
            out.push(format!(
                "code block {} differs (comments aside):\n--- README.md ({})\n{}\n--- README.th.md ({})\n{}",
                i + 1,
                a.0,
                a.1,
                b.0,
                b.1
            ));
        }
    }
    for c in e.commands.difference(&t.commands) {
        out.push(format!("README.th.md lacks the command `{c}`"));
    }
    for c in t.commands.difference(&e.commands) {
        out.push(format!("README.md lacks the command `{c}`"));
    }
    out
}

#[test]
fn both_readmes_have_the_same_sections_code_blocks_and_commands() {
    let d = differences(&read("README.md"), &read("README.th.md"));
    assert!(
        d.is_empty(),
        "README.md and README.th.md drifted apart (translate what is missing):\n- {}",
        d.join("\n- ")
    );
}

#[test]
fn a_missing_row_section_or_block_is_named() {
    let en = "# T\n## A\n| `runner bench X` | b |\n| `runner merge Y` | m |\n```sh\ncargo test  # tests\n```\n### B\n";
    let th = "# ท\n## ก\n| `runner bench X` | ข |\n```sh\ncargo test  # เทส\n```\n";
    let d = differences(en, th);
    assert_eq!(d.len(), 2, "{d:#?}");
    assert!(
        d[0].contains("heading 3") && d[0].contains("### B"),
        "{}",
        d[0]
    );
    assert_eq!(d[1], "README.th.md lacks the command `runner merge Y`");
    // Translated comments are not a difference; changed code is.
    assert!(differences(en, en).is_empty());
    let th_code = en.replace("cargo test  # tests", "cargo test --locked  # เทส");
    assert!(differences(en, &th_code)[0].contains("code block 1 differs"));
}

/// The Debian packages declared in the manifests' and toolchains.toml's `[requires.apt]`.
fn declared_packages() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut files = vec![root.join("toolchains.toml")];
    for e in std::fs::read_dir(root.join("manifests")).unwrap() {
        files.push(e.unwrap().path());
    }
    let mut out = BTreeSet::new();
    for f in files {
        let t: toml::Table = toml::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        if let Some(apt) = t
            .get("requires")
            .and_then(|r| r.get("apt"))
            .and_then(|a| a.as_table())
        {
            out.extend(apt.keys().cloned());
        }
    }
    out
}

#[test]
fn both_readmes_name_every_package_the_runner_installs() {
    let packages = declared_packages();
    assert!(packages.contains("valgrind"), "{packages:?}");
    for name in ["README.md", "README.th.md"] {
        let text = read(name);
        let missing: Vec<&String> = packages
            .iter()
            .filter(|p| !text.contains(&format!("`{p}`")))
            .collect();
        assert!(
            missing.is_empty(),
            "{name} does not name the packages the runner installs: {missing:?} (Quick start, \"What the first command installs\")"
        );
    }
}
