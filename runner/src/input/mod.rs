//! Inputs of a project: files in the repository, or files made by a declared generator and cached
//! under `.runner/inputs/<slug>/` by a key derived from the generator command template, the
//! parameters and the contents of its declared sources. A cached file is reused only when its
//! recorded size still matches; the SHA-256 and size are recorded in the report.

use crate::exec::{Backend, RunSpec};
use crate::manifest::placeholder::expand;
use crate::manifest::{InputDef, Manifest};
use crate::report::InputReport;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Why an input could not be made.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// I/O error.
    #[error("input `{name}`: {path}: {source}")]
    Io {
        /// Input name.
        name: String,
        /// Path concerned.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The generator failed.
    #[error("input `{name}`: {what} failed ({status}); command: {command}\n{tail}")]
    Generator {
        /// Input name.
        name: String,
        /// `prepare` or `generate`.
        what: String,
        /// How it ended.
        status: String,
        /// The command.
        command: String,
        /// Last lines of its stderr.
        tail: String,
    },
    /// A placeholder could not be expanded.
    #[error("input `{name}`: {message}")]
    Placeholder {
        /// Input name.
        name: String,
        /// The problem.
        message: String,
    },
}

/// A resolved input.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The file.
    pub path: PathBuf,
    /// What the report records.
    pub report: InputReport,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Meta {
    key: String,
    bytes: u64,
    sha256: String,
}

/// SHA-256 of a file, streamed.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Size and SHA-256 of an input: a file, or a folder (every file below it, in sorted path
/// order: the hash covers each relative path and its contents; the size is the sum of the files).
pub fn measure_input(path: &Path) -> std::io::Result<(u64, String)> {
    if !std::fs::metadata(path)?.is_dir() {
        return Ok((std::fs::metadata(path)?.len(), sha256_file(path)?));
    }
    let mut files = Vec::new();
    walk(path, Path::new(""), &mut files)?;
    files.sort();
    let mut h = Sha256::new();
    let mut total = 0;
    for rel in files {
        let p = path.join(&rel);
        total += std::fs::metadata(&p)?.len();
        h.update(rel.to_string_lossy().as_bytes());
        h.update([0]);
        h.update(sha256_file(&p)?.as_bytes());
        h.update([0]);
    }
    Ok((total, hex::encode(h.finalize())))
}

fn walk(root: &Path, rel: &Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(root.join(rel))? {
        let e = e?;
        let r = rel.join(e.file_name());
        if e.file_type()?.is_dir() {
            walk(root, &r, out)?;
        } else {
            out.push(r);
        }
    }
    Ok(())
}

/// Total size of the files below `path` (or of the file itself).
fn input_bytes(path: &Path) -> std::io::Result<u64> {
    if !std::fs::metadata(path)?.is_dir() {
        return Ok(std::fs::metadata(path)?.len());
    }
    let mut files = Vec::new();
    walk(path, Path::new(""), &mut files)?;
    files
        .iter()
        .map(|f| std::fs::metadata(path.join(f)).map(|m| m.len()))
        .sum()
}

fn hash_tree(h: &mut Sha256, root: &Path, rel: &Path) -> std::io::Result<()> {
    let path = root.join(rel);
    let meta = std::fs::metadata(&path)?;
    if meta.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(&path)?
            .flatten()
            .map(|e| e.file_name())
            .collect();
        entries.sort();
        for name in entries {
            let n = name.to_string_lossy();
            if n == "target" || n.starts_with('.') || n == "zig-out" {
                continue;
            }
            hash_tree(h, root, &rel.join(&name))?;
        }
    } else {
        h.update(rel.to_string_lossy().as_bytes());
        h.update([0]);
        h.update(std::fs::read(&path)?);
        h.update([0]);
    }
    Ok(())
}

/// The cache key of a generated input: its commands as they will run (parameters substituted,
/// `{out}` and `{root}` left symbolic) and the contents of its sources. Parameters the commands
/// do not use are not part of it, so two projects that generate the same input share one file.
pub fn cache_key(
    root: &Path,
    generate: &[String],
    prepare: Option<&[String]>,
    sources: &[String],
    params: &BTreeMap<String, String>,
) -> std::io::Result<String> {
    let look = |n: &str| -> Option<String> {
        match n.strip_prefix("param.") {
            Some(p) => params.get(p).cloned(),
            None => Some(format!("{{{n}}}")),
        }
    };
    let mut h = Sha256::new();
    h.update(b"runner-input-v2\0");
    for part in [Some(generate), prepare].into_iter().flatten() {
        for a in part {
            let a = crate::manifest::placeholder::expand(a, &look).unwrap_or_else(|_| a.clone());
            h.update(a.as_bytes());
            h.update([0]);
        }
        h.update([1]);
    }
    for s in sources {
        hash_tree(&mut h, root, Path::new(s))?;
    }
    Ok(hex::encode(h.finalize()))
}

/// Makes (or finds in the cache) every input of `m`.
pub fn resolve(
    m: &Manifest,
    root: &Path,
    cache: &Path,
    params: &BTreeMap<String, String>,
    env: &[(String, String)],
    backend: &mut dyn Backend,
    on_generate: &mut dyn FnMut(&str),
) -> Result<BTreeMap<String, Resolved>, InputError> {
    let mut out = BTreeMap::new();
    for (name, def) in &m.inputs {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| InputError::Io {
                name: name.clone(),
                path,
                source,
            }
        };
        let resolved = match def {
            InputDef::File(p) => {
                let path = root.join(p);
                let (bytes, sha256) = measure_input(&path).map_err(io(&path))?;
                Resolved {
                    report: InputReport {
                        name: name.clone(),
                        path: p.clone(),
                        bytes,
                        sha256,
                        cache_key: None,
                        cached: false,
                    },
                    path,
                }
            }
            InputDef::Generated {
                prepare,
                generate,
                sources,
            } => {
                let key = cache_key(root, generate, prepare.as_deref(), sources, params)
                    .map_err(io(root))?;
                // Keyed by content, not by project: identical generators share one file.
                let dir = cache.join("shared");
                std::fs::create_dir_all(&dir).map_err(io(&dir))?;
                let file = dir.join(&key[..24]);
                let meta_path = dir.join(format!("{}.meta.json", &key[..24]));
                let cached = std::fs::read(&meta_path)
                    .ok()
                    .and_then(|b| serde_json::from_slice::<Meta>(&b).ok())
                    .filter(|meta| meta.key == key && input_bytes(&file).ok() == Some(meta.bytes));
                let (bytes, sha256, was_cached) = match cached {
                    Some(meta) => (meta.bytes, meta.sha256, true),
                    None => {
                        on_generate(name);
                        let look = |n: &str| -> Option<String> {
                            if let Some(p) = n.strip_prefix("param.") {
                                return params.get(p).cloned();
                            }
                            match n {
                                "root" => Some(root.display().to_string()),
                                "out" => Some(file.display().to_string()),
                                _ => None,
                            }
                        };
                        if let Some(prep) = prepare {
                            run_step(name, "prepare", prep, &look, root, &dir, env, backend)?;
                        }
                        // A half-written folder from an interrupted generation must not linger.
                        if file.is_dir() {
                            let _ = std::fs::remove_dir_all(&file);
                        }
                        run_step(name, "generate", generate, &look, root, &dir, env, backend)?;
                        let (bytes, sha256) = measure_input(&file).map_err(io(&file))?;
                        let meta = Meta {
                            key: key.clone(),
                            bytes,
                            sha256: sha256.clone(),
                        };
                        let json = serde_json::to_vec(&meta).unwrap_or_default();
                        std::fs::write(&meta_path, json).map_err(io(&meta_path))?;
                        (bytes, sha256, false)
                    }
                };
                Resolved {
                    report: InputReport {
                        name: name.clone(),
                        path: file.display().to_string(),
                        bytes,
                        sha256,
                        cache_key: Some(key),
                        cached: was_cached,
                    },
                    path: file,
                }
            }
        };
        out.insert(name.clone(), resolved);
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn run_step(
    name: &str,
    what: &str,
    argv: &[String],
    look: &dyn Fn(&str) -> Option<String>,
    root: &Path,
    dir: &Path,
    env: &[(String, String)],
    backend: &mut dyn Backend,
) -> Result<(), InputError> {
    let argv: Vec<String> = argv
        .iter()
        .map(|a| {
            expand(a, look).map_err(|e| InputError::Placeholder {
                name: name.into(),
                message: e.message,
            })
        })
        .collect::<Result<_, _>>()?;
    let spec = RunSpec {
        argv: argv.clone(),
        cwd: root.to_path_buf(),
        env: env.to_vec(),
        stdin: None,
        stdout: dir.join(format!("{name}.{what}.out")),
        stderr: dir.join(format!("{name}.{what}.err")),
        timeout: Duration::from_secs(1800),
        output_cap: 64 << 20,
        pin: None,
    };
    let fail = |status: String| InputError::Generator {
        name: name.into(),
        what: what.into(),
        status,
        command: argv.join(" "),
        tail: tail_of(&spec.stderr, 12),
    };
    match backend.run(&spec) {
        Ok(o) if o.exit.success() && !o.timed_out => Ok(()),
        Ok(o) if o.timed_out => Err(fail("timed out".into())),
        Ok(o) => Err(fail(o.exit.to_string())),
        Err(e) => Err(fail(e.to_string())),
    }
}

/// The last `lines` lines of a text file (lossy UTF-8), for failure messages.
pub fn tail_of(path: &Path, lines: usize) -> String {
    let Ok(bytes) = std::fs::read(path) else {
        return String::new();
    };
    let start = bytes.len().saturating_sub(16 * 1024);
    let text = String::from_utf8_lossy(&bytes[start..]);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_key_changes_with_sources_and_params() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("gen")).unwrap();
        std::fs::write(dir.path().join("gen/main.rs"), "v1").unwrap();
        let gen = vec!["gen".to_string(), "{param.size}".to_string()];
        let mut params = BTreeMap::new();
        params.insert("size".to_string(), "1M".to_string());
        let k1 = cache_key(dir.path(), &gen, None, &["gen".into()], &params).unwrap();
        assert_eq!(
            k1,
            cache_key(dir.path(), &gen, None, &["gen".into()], &params).unwrap()
        );
        std::fs::write(dir.path().join("gen/main.rs"), "v2").unwrap();
        let k2 = cache_key(dir.path(), &gen, None, &["gen".into()], &params).unwrap();
        assert_ne!(k1, k2);
        params.insert("size".to_string(), "2M".to_string());
        assert_ne!(
            k2,
            cache_key(dir.path(), &gen, None, &["gen".into()], &params).unwrap()
        );
        // Build outputs inside sources do not change the key.
        std::fs::create_dir_all(dir.path().join("gen/target")).unwrap();
        std::fs::write(dir.path().join("gen/target/junk"), "x").unwrap();
        assert_eq!(
            cache_key(dir.path(), &gen, None, &["gen".into()], &params).unwrap(),
            cache_key(dir.path(), &gen, None, &["gen".into()], &params).unwrap()
        );
    }

    #[test]
    fn unused_parameters_do_not_change_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let gen = vec![
            "ffmpeg".to_string(),
            "-t".into(),
            "{param.duration}".into(),
            "{out}".into(),
        ];
        let mut a = BTreeMap::new();
        a.insert("duration".to_string(), "60".to_string());
        let mut b = a.clone();
        b.insert("width".to_string(), "320".to_string());
        let ka = cache_key(dir.path(), &gen, None, &[], &a).unwrap();
        assert_eq!(ka, cache_key(dir.path(), &gen, None, &[], &b).unwrap());
        b.insert("duration".to_string(), "5".to_string());
        assert_ne!(ka, cache_key(dir.path(), &gen, None, &[], &b).unwrap());
    }

    #[test]
    fn a_folder_input_is_measured_by_its_files() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("a/b")).unwrap();
        std::fs::write(d.path().join("a/b/x.txt"), "hello").unwrap();
        std::fs::write(d.path().join("y.md"), "abc").unwrap();
        let (bytes, h1) = measure_input(d.path()).unwrap();
        assert_eq!(bytes, 8);
        assert_eq!(input_bytes(d.path()).unwrap(), 8);
        std::fs::write(d.path().join("y.md"), "abd").unwrap();
        let (_, h2) = measure_input(d.path()).unwrap();
        assert_ne!(h1, h2, "a changed file changes the hash");
        std::fs::rename(d.path().join("y.md"), d.path().join("z.md")).unwrap();
        let (_, h3) = measure_input(d.path()).unwrap();
        assert_ne!(h2, h3, "a renamed file changes the hash");
    }

    #[test]
    fn sha256_matches_known_value() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("abc");
        std::fs::write(&p, "abc").unwrap();
        // echo -n abc | sha256sum
        assert_eq!(
            sha256_file(&p).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
