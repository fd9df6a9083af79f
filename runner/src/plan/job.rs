//! A job is one contender of one project — an implementation in one language, or a reference
//! program — with its commands fully expanded for this machine's paths.

use crate::manifest::placeholder::{expand, PlaceholderError};
use crate::manifest::{Implementation, Lang, Manifest, ReferenceDef};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a job measures.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Contender {
    /// An implementation.
    Lang(Lang),
    /// A reference program, by index in the manifest's `reference` list.
    Reference(usize),
}

/// A fully expanded job.
#[derive(Debug, Clone)]
pub struct Job {
    /// Who runs.
    pub contender: Contender,
    /// Display name: the language, or the reference's name.
    pub name: String,
    /// Build command and its folder (implementations only).
    pub build: Option<(Vec<String>, PathBuf)>,
    /// Absolute path of the artifact (implementations only).
    pub artifact: Option<PathBuf>,
    /// Run command.
    pub run: Vec<String>,
    /// Working directory of runs.
    pub cwd: PathBuf,
    /// Extra environment.
    pub env: Vec<(String, String)>,
    /// Output folder given as `{out}` to measured runs.
    pub out_dir: PathBuf,
    /// Output folder of the verification run.
    pub verify_dir: PathBuf,
    /// Folder for captured stdout/stderr and build logs.
    pub log_dir: PathBuf,
    /// Whether output checks apply.
    pub verified: bool,
    /// The run command before expansion, and the values of its fixed placeholders: a service's
    /// `{port}` and `{fixture.…}` are known only when an instance starts (see [`service_argv`]).
    pub template: (Vec<String>, Vec<(String, String)>),
    /// Where the backend placed the job's server (a container), once prepared; `None` for a
    /// server the runner spawns on this machine.
    pub placement: Option<crate::exec::Placement>,
    /// The artifact as built, once built, when that is not `artifact` (a static build for
    /// containers lands elsewhere): what `{artifact}` means in check commands, which run here.
    pub built_artifact: Option<PathBuf>,
}

/// Paths a plan needs from the outside.
#[derive(Debug, Clone)]
pub struct PlanContext {
    /// Repository root (absolute).
    pub root: PathBuf,
    /// Scratch folder for outputs and logs, e.g. `<root>/.runner/work`.
    pub work: PathBuf,
    /// Resolved input files by name.
    pub inputs: BTreeMap<String, PathBuf>,
    /// Parameters after CLI overrides.
    pub params: BTreeMap<String, String>,
    /// The CPU level builds target (`{cpu.go}`, `{cpu.rust}`, `{cpu.zig}`).
    pub cpu: crate::toolchain::cpu::Level,
}

/// A command that could not be expanded.
#[derive(Debug, thiserror::Error)]
#[error("{job}: {what}: {message}")]
pub struct PlanError {
    /// The job's name.
    pub job: String,
    /// Which command.
    pub what: String,
    /// The placeholder problem.
    pub message: String,
}

fn lookup<'a>(
    ctx: &'a PlanContext,
    fixed: &'a [(&'a str, String)],
) -> impl Fn(&str) -> Option<String> + 'a {
    move |name: &str| {
        // Known only when a service instance starts: shown as written until then.
        if matches!(name, "port" | "bind" | "client") || name.starts_with("fixture.") {
            return Some(format!("{{{name}}}"));
        }
        if let Some(p) = name.strip_prefix("param.") {
            return ctx.params.get(p).cloned();
        }
        if let Some(i) = name.strip_prefix("input.") {
            return ctx.inputs.get(i).map(|p| p.display().to_string());
        }
        fixed
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    }
}

fn expand_all(
    argv: &[String],
    look: &dyn Fn(&str) -> Option<String>,
    job: &str,
    what: &str,
) -> Result<Vec<String>, PlanError> {
    argv.iter()
        .map(|a| {
            expand(a, look).map_err(|e: PlaceholderError| PlanError {
                job: job.into(),
                what: what.into(),
                message: e.message,
            })
        })
        .collect()
}

/// Expands an implementation into a job.
pub fn lang_job(
    m: &Manifest,
    lang: Lang,
    imp: &Implementation,
    ctx: &PlanContext,
) -> Result<Job, PlanError> {
    let dir = ctx.root.join(&imp.dir);
    let artifact = dir.join(&imp.artifact);
    let base = ctx.work.join(&m.slug).join(lang.as_str());
    let name = lang.as_str().to_string();
    let fixed_build = [
        ("dir", dir.display().to_string()),
        ("root", ctx.root.display().to_string()),
        ("cpu.go", ctx.cpu.go().to_string()),
        ("cpu.rust", ctx.cpu.rust().to_string()),
        ("cpu.zig", ctx.cpu.zig().to_string()),
    ];
    let build = expand_all(&imp.build, &lookup(ctx, &fixed_build), &name, "build")?;
    let run_fixed = |out: &Path| {
        vec![
            ("artifact", artifact.display().to_string()),
            ("dir", dir.display().to_string()),
            ("root", ctx.root.display().to_string()),
            ("out", out.display().to_string()),
        ]
    };
    let out_dir = base.join("run");
    let fixed_run = run_fixed(&out_dir);
    let run = expand_all(&imp.run, &lookup(ctx, &fixed_run), &name, "run")?;
    let template = (
        imp.run.clone(),
        fixed_run
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    );
    Ok(Job {
        contender: Contender::Lang(lang),
        name,
        build: Some((build, dir.clone())),
        artifact: Some(artifact),
        run,
        cwd: dir,
        env: imp
            .env
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        out_dir,
        verify_dir: base.join("verify"),
        log_dir: base,
        verified: true,
        placement: None,
        built_artifact: None,
        template,
    })
}

/// Expands a reference program into a job.
pub fn reference_job(
    m: &Manifest,
    index: usize,
    r: &ReferenceDef,
    ctx: &PlanContext,
) -> Result<Job, PlanError> {
    let safe: String = r
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let base = ctx.work.join(&m.slug).join(format!("ref-{index}-{safe}"));
    let out_dir = base.join("run");
    let fixed = [
        ("root", ctx.root.display().to_string()),
        ("out", out_dir.display().to_string()),
    ];
    let run = expand_all(&r.run, &lookup(ctx, &fixed), &r.name, "run")?;
    let template = (
        r.run.clone(),
        fixed
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    );
    Ok(Job {
        contender: Contender::Reference(index),
        name: r.name.clone(),
        build: None,
        artifact: None,
        run,
        cwd: ctx.root.clone(),
        env: r.env.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        out_dir,
        verify_dir: base.join("verify"),
        log_dir: base,
        verified: r.verified,
        placement: None,
        built_artifact: None,
        template,
    })
}

/// Expands an implementation's own test command (`runner test`): `{dir}`, `{root}` and the
/// manifest's default `{param.NAME}` values.
pub fn test_argv(
    m: &Manifest,
    lang: Lang,
    argv: &[String],
    dir: &Path,
    root: &Path,
) -> Result<Vec<String>, PlanError> {
    let fixed = [
        ("dir", dir.display().to_string()),
        ("root", root.display().to_string()),
    ];
    let look = |name: &str| {
        if let Some(p) = name.strip_prefix("param.") {
            return m.params.get(p).cloned();
        }
        fixed
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    };
    expand_all(argv, &look, lang.as_str(), "test")
}

/// The run command with `{out}` pointing at the verification folder instead.
pub fn verify_argv(job: &Job) -> Vec<String> {
    let from = job.out_dir.display().to_string();
    let to = job.verify_dir.display().to_string();
    job.run.iter().map(|a| a.replace(&from, &to)).collect()
}

/// The addresses of a running instance: its port and its fixtures' ports by name.
#[derive(Debug, Clone)]
pub struct Addresses {
    /// The service's port.
    pub port: u16,
    /// `{bind}`: the address the service listens on where it runs.
    pub bind: String,
    /// The address its fixtures listen on.
    pub fixture_host: std::net::IpAddr,
    /// `{client}`: the address the service sees this machine's requests come from.
    pub client: std::net::IpAddr,
    /// Fixture name → ports of its instances.
    pub fixtures: BTreeMap<String, Vec<u16>>,
}

impl Default for Addresses {
    fn default() -> Self {
        Addresses {
            port: 0,
            bind: "127.0.0.1".into(),
            fixture_host: std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
            client: std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
            fixtures: BTreeMap::new(),
        }
    }
}

impl Addresses {
    /// `{port}`, `{bind}`, `{client}`, `{fixture.NAME}` (all instances, comma-separated
    /// `HOST:PORT`) and `{fixture.NAME.N}`.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let addr = |p: &u16| std::net::SocketAddr::new(self.fixture_host, *p).to_string();
        let mut v = vec![
            ("port".to_string(), self.port.to_string()),
            ("bind".to_string(), self.bind.clone()),
            ("client".to_string(), self.client.to_string()),
        ];
        for (name, ports) in &self.fixtures {
            let all: Vec<String> = ports.iter().map(addr).collect();
            v.push((format!("fixture.{name}"), all.join(",")));
            for (i, p) in ports.iter().enumerate() {
                v.push((format!("fixture.{name}.{i}"), addr(p)));
            }
        }
        v
    }
}

/// Expands `argv` with a live lookup: `fixed` values, then params and inputs.
fn expand_live(
    argv: &[String],
    ctx: &PlanContext,
    fixed: &[(String, String)],
    job: &str,
    what: &str,
) -> Result<Vec<String>, PlanError> {
    let look = |name: &str| {
        if let Some(v) = fixed.iter().find(|(k, _)| k == name) {
            return Some(v.1.clone());
        }
        if let Some(p) = name.strip_prefix("param.") {
            return ctx.params.get(p).cloned();
        }
        if let Some(i) = name.strip_prefix("input.") {
            return ctx.inputs.get(i).map(|p| p.display().to_string());
        }
        None
    };
    expand_all(argv, &look, job, what)
}

/// A service job's run command for one instance, with `{out}` pointing at `out`.
pub fn service_argv(
    job: &Job,
    ctx: &PlanContext,
    addrs: &Addresses,
    out: &Path,
) -> Result<Vec<String>, PlanError> {
    let mut fixed: Vec<(String, String)> = job
        .template
        .1
        .iter()
        .filter(|(k, _)| k != "out")
        .cloned()
        .collect();
    fixed.push(("out".into(), out.display().to_string()));
    fixed.extend(addrs.pairs());
    expand_live(&job.template.0, ctx, &fixed, &job.name, "run")
}

/// A fixture command for one instance on `bind:port`.
pub fn fixture_argv(
    argv: &[String],
    ctx: &PlanContext,
    bind: std::net::IpAddr,
    port: u16,
    label: &str,
) -> Result<Vec<String>, PlanError> {
    let fixed = vec![
        ("root".to_string(), ctx.root.display().to_string()),
        ("port".to_string(), port.to_string()),
        ("bind".to_string(), bind.to_string()),
    ];
    expand_live(argv, ctx, &fixed, label, "fixture run")
}

/// Expands a check command for a job whose service instance runs at `addrs`. `None`: the
/// command starts the built program (`{artifact}`) and the job has none (a reference), so the
/// check does not apply to it.
pub fn check_command_live(
    argv: &[String],
    job: &Job,
    ctx: &PlanContext,
    addrs: &Addresses,
) -> Result<Option<Vec<String>>, PlanError> {
    let mut fixed = vec![
        ("root".to_string(), ctx.root.display().to_string()),
        ("out".to_string(), job.verify_dir.display().to_string()),
        ("lang".to_string(), job.name.clone()),
        (
            "stdout".to_string(),
            job.log_dir.join("verify.stdout").display().to_string(),
        ),
    ];
    match job.built_artifact.as_ref().or(job.artifact.as_ref()) {
        Some(a) => fixed.push(("artifact".to_string(), a.display().to_string())),
        None if argv.iter().any(|a| a.contains("{artifact}")) => return Ok(None),
        None => {}
    }
    fixed.extend(addrs.pairs());
    expand_live(argv, ctx, &fixed, &job.name, "verify command").map(Some)
}

/// Expands a check command for one job's verification outputs.
pub fn check_command(
    argv: &[String],
    job: &Job,
    ctx: &PlanContext,
) -> Result<Option<Vec<String>>, PlanError> {
    check_command_live(argv, job, ctx, &Addresses::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(artifact: Option<&str>) -> Job {
        Job {
            contender: if artifact.is_some() {
                Contender::Lang(Lang::Go)
            } else {
                Contender::Reference(0)
            },
            name: if artifact.is_some() { "go" } else { "nginx" }.into(),
            build: None,
            artifact: artifact.map(PathBuf::from),
            run: Vec::new(),
            cwd: PathBuf::from("/r"),
            env: Vec::new(),
            out_dir: PathBuf::from("/w/out"),
            verify_dir: PathBuf::from("/w/verify"),
            log_dir: PathBuf::from("/w"),
            verified: true,
            template: (Vec::new(), Vec::new()),
            placement: None,
            built_artifact: None,
        }
    }

    #[test]
    fn a_check_that_starts_the_artifact_does_not_apply_to_a_reference() {
        let ctx = PlanContext {
            root: PathBuf::from("/r"),
            work: PathBuf::from("/w"),
            inputs: BTreeMap::new(),
            params: BTreeMap::new(),
            cpu: crate::toolchain::cpu::Level::default(),
        };
        let argv: Vec<String> = ["check.py", "--artifact", "{artifact}", "{out}"]
            .map(String::from)
            .to_vec();
        let mut go = job(Some("/r/bin/proxy"));
        assert_eq!(
            check_command(&argv, &go, &ctx).unwrap(),
            Some(
                ["check.py", "--artifact", "/r/bin/proxy", "/w/verify"]
                    .map(String::from)
                    .to_vec()
            )
        );
        // A static build for containers is what exists on this machine.
        go.built_artifact = Some(PathBuf::from("/r/static/proxy"));
        assert_eq!(
            check_command(&argv, &go, &ctx).unwrap().unwrap()[2],
            "/r/static/proxy"
        );
        let nginx = job(None);
        assert_eq!(check_command(&argv, &nginx, &ctx).unwrap(), None);
        let plain: Vec<String> = ["check.py", "{out}"].map(String::from).to_vec();
        assert!(check_command(&plain, &nginx, &ctx).unwrap().is_some());
    }
}
