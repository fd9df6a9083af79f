//! A job's image: either built from the implementation's own Dockerfile (its folder sent as a
//! build context) or assembled `FROM scratch` around the statically linked artifact built on this
//! machine. The context is a reproducible tar, hashed with its Dockerfile's name into the tag
//! `runner/<project>-<job>:<hash>`, so an image is rebuilt only when its content changes. Also
//! tells whether a program can run in an image `FROM scratch` at all ([`check_static`]). Never
//! creates or touches a container.

use super::engine::LABEL;
use super::{tail, Docker};
use crate::exec::{JobSetup, PrepareError};
use bollard::query_parameters::BuildImageOptionsBuilder;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A job's image, ready for its container.
pub(super) struct Image {
    /// `runner/<project>-<job>:<content hash>`.
    pub tag: String,
    /// The engine's image id (`sha256:…`).
    pub id: String,
    /// Whether the engine already had it (same content hash).
    pub cached: bool,
    /// `scratch` or `dockerfile`.
    pub source: &'static str,
    /// The program's path inside the image.
    pub program: String,
}

/// What an image is built from: the context's files (name, bytes, mode), the Dockerfile's name
/// among them, where the program lands in the image, and `scratch` or `dockerfile`.
struct Context {
    files: Vec<(String, Vec<u8>, u32)>,
    dockerfile: String,
    program: String,
    source: &'static str,
}

pub fn check_static(path: &Path) -> Result<(), String> {
    let mut f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    f.by_ref()
        .take(1 << 20)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let u16_at = |o: usize| {
        bytes
            .get(o..o + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let u32_at = |o: usize| {
        bytes
            .get(o..o + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let u64_at = |o: usize| {
        bytes
            .get(o..o + 8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
    };
    if bytes.get(..4) != Some(b"\x7fELF") || bytes.get(4) != Some(&2) {
        return Err(format!(
            "{} is not a 64-bit ELF program (a script needs an interpreter, which an image FROM scratch does not have)",
            path.display()
        ));
    }
    let (Some(phoff), Some(phentsize), Some(phnum)) = (u64_at(0x20), u16_at(0x36), u16_at(0x38))
    else {
        return Err(format!("{}: truncated ELF header", path.display()));
    };
    for i in 0..phnum as usize {
        let at = phoff as usize + i * phentsize as usize;
        if u32_at(at) == Some(3) {
            return Err(format!(
                "{} is dynamically linked (it needs a loader and shared libraries, which an image FROM scratch does not have)",
                path.display()
            ));
        }
    }
    Ok(())
}

/// The build context of `job`'s image: its folder with its Dockerfile, or a Dockerfile `FROM
/// scratch` beside its statically linked artifact.
fn context_of(job: &JobSetup) -> Result<Context, PrepareError> {
    let failed = PrepareError::Failed;
    match &job.dockerfile {
        Some(df) => {
            let files = context_files(&job.dir).map_err(|e| {
                failed(format!(
                    "cannot read the build context {}: {e}",
                    job.dir.display()
                ))
            })?;
            let name = job
                .artifact_named
                .as_ref()
                .and_then(|a| a.file_name())
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_else(|| job.name.clone());
            let program = job
                .program
                .clone()
                .unwrap_or_else(|| format!("/bench/{name}"));
            Ok(Context {
                files,
                dockerfile: df.clone(),
                program,
                source: "dockerfile",
            })
        }
        None => {
            let artifact = job.artifact.as_ref().ok_or_else(|| {
                PrepareError::Unsupported(
                    "nothing to put in an image: no artifact and no [lang.*.docker] dockerfile"
                        .into(),
                )
            })?;
            check_static(artifact).map_err(|e| {
                failed(format!(
                    "{e}.\n  The Docker backend assembles a minimal image FROM scratch that holds only the program: build it statically (Go: CGO_ENABLED=0; Rust: the runner adds -C target-feature=+crt-static; Zig: the default target links no libc, or -Dtarget=x86_64-linux-musl), or give [lang.{}.docker] dockerfile = \"Dockerfile\" with an image that holds its libraries",
                    job.name
                ))
            })?;
            let name = artifact
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_else(|| "program".into());
            let data = std::fs::read(artifact)
                .map_err(|e| failed(format!("cannot read {}: {e}", artifact.display())))?;
            let dockerfile = format!("FROM scratch\nCOPY program /bench/{name}\nLABEL {LABEL}=1\n");
            Ok(Context {
                files: vec![
                    ("Dockerfile".to_string(), dockerfile.into_bytes(), 0o644),
                    ("program".to_string(), data, 0o755),
                ],
                dockerfile: "Dockerfile".to_string(),
                program: format!("/bench/{name}"),
                source: "scratch",
            })
        }
    }
}

fn tar_header(path: &str, size: u64, mode: u32, kind: tar::EntryType) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    let _ = h.set_path(path);
    h.set_size(size);
    h.set_mode(mode);
    h.set_mtime(0);
    h.set_uid(0);
    h.set_gid(0);
    h.set_cksum();
    h
}

/// A reproducible tar (sorted names, zero times and owners) of `files`.
fn tar_of(files: &[(String, Vec<u8>, u32)]) -> std::io::Result<Vec<u8>> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data, mode) in files {
        let h = tar_header(name, data.len() as u64, *mode, tar::EntryType::Regular);
        b.append(&h, data.as_slice())?;
    }
    b.into_inner()
}

/// Reads `dir` as a build context: every regular file, sorted, except `.git` and names listed in
/// `.dockerignore` (one relative path or name per line; a simplified subset).
fn context_files(dir: &Path) -> std::io::Result<Vec<(String, Vec<u8>, u32)>> {
    use std::os::unix::fs::PermissionsExt;
    let ignore: Vec<String> = std::fs::read_to_string(dir.join(".dockerignore"))
        .unwrap_or_default()
        .lines()
        .map(|l| {
            l.trim()
                .trim_start_matches("./")
                .trim_end_matches('/')
                .to_string()
        })
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(dir.join(&rel))?.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().to_string();
            let r = rel.join(&name);
            let rs = r.to_string_lossy().to_string();
            if name == ".git" || ignore.iter().any(|i| i == &rs || i == &name) {
                continue;
            }
            let meta = std::fs::metadata(e.path())?;
            if meta.is_dir() {
                stack.push(r);
            } else if meta.is_file() {
                let mode = if meta.permissions().mode() & 0o111 != 0 {
                    0o755
                } else {
                    0o644
                };
                out.push((rs, std::fs::read(e.path())?, mode));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

pub(super) fn tag_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

impl Docker {
    /// Builds (or finds in the engine's cache) the image of `job`.
    pub(super) fn image(&mut self, job: &JobSetup) -> Result<Image, PrepareError> {
        let failed = PrepareError::Failed;
        let Context {
            files,
            dockerfile,
            program,
            source,
        } = context_of(job)?;
        let tar = tar_of(&files)
            .map_err(|e| failed(format!("cannot assemble the build context: {e}")))?;
        let mut h = Sha256::new();
        h.update(dockerfile.as_bytes());
        h.update([0]);
        h.update(&tar);
        let hash = hex::encode(h.finalize());
        let tag = format!(
            "runner/{}-{}:{}",
            tag_part(&job.project),
            tag_part(&job.name),
            &hash[..16]
        );
        let client = &self.client;
        let result = self.rt.block_on(async {
            if let Ok(img) = client.inspect_image(&tag).await {
                return Ok((img.id.unwrap_or_default(), true));
            }
            let id = build(client, &tag, &dockerfile, tar, &job.log).await?;
            Ok((id, false))
        });
        let (id, cached) = result.map_err(failed)?;
        Ok(Image {
            tag,
            id,
            cached,
            source,
            program,
        })
    }
}

/// Builds image `tag` from the context `tar` with `dockerfile`, writing the engine's build log to
/// `log_path`; returns the image's id.
async fn build(
    client: &bollard::Docker,
    tag: &str,
    dockerfile: &str,
    tar: Vec<u8>,
    log_path: &Path,
) -> Result<String, String> {
    let labels = HashMap::from([(LABEL, "1")]);
    let opts = BuildImageOptionsBuilder::new()
        .dockerfile(dockerfile)
        .t(tag)
        .rm(true)
        .forcerm(true)
        .labels(&labels)
        .build();
    let mut stream = client.build_image(opts, None, Some(bollard::body_full(tar.into())));
    let mut log = String::new();
    let mut error: Option<String> = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(info) => {
                if let Some(s) = info.stream {
                    log.push_str(&s);
                }
                if let Some(e) = info.error_detail.and_then(|d| d.message) {
                    log.push_str(&e);
                    log.push('\n');
                    error = Some(e);
                }
            }
            Err(e) => {
                let msg = e.to_string();
                log.push_str(&msg);
                log.push('\n');
                error = Some(msg);
                break;
            }
        }
    }
    let _ = std::fs::write(log_path, &log);
    if let Some(e) = error {
        return Err(format!(
            "building image {tag} failed: {e}\n  last lines of the build log ({}):\n{}",
            log_path.display(),
            tail(&log, 15)
        ));
    }
    Ok(client
        .inspect_image(tag)
        .await
        .map_err(|e| format!("image {tag} was built but cannot be inspected: {e}"))?
        .id
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_check_tells_static_from_dynamic() {
        // The test binary itself is dynamically linked (the default gnu target).
        let me = std::env::current_exe().unwrap();
        let err = check_static(&me).unwrap_err();
        assert!(err.contains("dynamically linked"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("s.sh");
        std::fs::write(&script, "#!/bin/sh\necho hi\n").unwrap();
        assert!(check_static(&script)
            .unwrap_err()
            .contains("not a 64-bit ELF"));
    }

    #[test]
    fn tars_are_reproducible() {
        let files = vec![("a".to_string(), b"x".to_vec(), 0o644)];
        assert_eq!(tar_of(&files).unwrap(), tar_of(&files).unwrap());
        assert_eq!(tag_part("sed -E"), "sed--e");
    }
}
