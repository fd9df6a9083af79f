//! The report's JSON contract, pinned: one fixture report with every field and every optional
//! part filled in (a command project and a service project, a variant, a reference, a comparison, a Docker
//! image with its network placement, CI shards), built from the internal types through the
//! conversions of `wire.rs` and snapshot-tested as pretty JSON. A refactor anywhere that changes
//! what a report says shows up here as a snapshot diff, to be accepted only with a schema version
//! bump or a note in `docs/report.md`. Compiled for tests only.

use super::host::Host;
use super::schema::*;
use super::wire;
use crate::{activity, exec, loadgen, manifest, stats, toolchain};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

fn summary(values: &[f64]) -> wire::Summary {
    stats::summarize(&stats::Sample::new(values.to_vec()).unwrap()).into()
}

fn job_summary(headline: &[f64]) -> JobSummary {
    let sample = stats::Sample::new(headline.to_vec()).unwrap();
    JobSummary {
        headline: summary(headline),
        wall_s: summary(&[0.020, 0.021, 0.019]),
        user_s: summary(&[0.015, 0.016, 0.015]),
        sys_s: summary(&[0.002, 0.003, 0.002]),
        max_rss_bytes: summary(&[4.0e6, 4.1e6, 4.0e6]),
        outliers: stats::detect(&sample).into(),
    }
}

fn sample(wall_ns: u64, headline: f64) -> SampleReport {
    SampleReport {
        wall_ns,
        user_ns: 15_000_000,
        sys_ns: 2_000_000,
        max_rss_bytes: 4_000_000,
        exit: exec::Exit::Code(0).into(),
        headline,
    }
}

fn host(name: &str) -> Host {
    Host {
        hostname: name.into(),
        cpu_model: "AMD EPYC 7B13".into(),
        cores: 2,
        memory_bytes: 8 << 30,
        governor: "performance".into(),
        kernel: "6.1.0".into(),
        os: "Debian GNU/Linux 12 (bookworm)".into(),
        virtualized: true,
        turbo: Some(false),
        load_avg_start: 0.25,
        arch: "x86_64".into(),
    }
}

fn latency(p50: f64) -> wire::Latency {
    loadgen::Latency {
        count: 1000,
        mean_us: p50 * 1.1,
        p50_us: p50,
        p90_us: p50 * 2.0,
        p99_us: p50 * 4.0,
        p999_us: p50 * 8.0,
        max_us: p50 * 16.0,
    }
    .into()
}

fn command_project() -> ProjectReport {
    let text = manifest::schema::Text {
        name: "Log Masker".into(),
        summary: "masks secrets in logs".into(),
        skill: "regular expressions".into(),
    };
    let mut go = JobReport::new("go", false, JobStatus::Ok);
    go.build = Some(BuildReport {
        command: vec!["go".into(), "build".into()],
        wall_ns: 1_500_000_000,
        exit: exec::Exit::Code(0).into(),
        artifact: "impls/log-masker/go/bin/masker".into(),
        artifact_bytes: Some(2_345_678),
        log_tail: None,
    });
    go.verification = vec![CheckResult {
        check: "cross_language masked.log".into(),
        passed: Some(true),
        detail: "identical".into(),
    }];
    go.warmups = 1;
    go.samples = vec![sample(20_000_000, 0.020), sample(21_000_000, 0.021)];
    go.summary = Some(job_summary(&[0.020, 0.021]));
    go.instructions = Some(123_456_789);
    go.command = vec!["bin/masker".into(), "input.log".into()];
    go.noisy = Some(
        "the machine stayed busy before round 2: other processes used 1.40 CPUs (limit 0.25)"
            .into(),
    );
    go.image = Some(ImageReport {
        tag: "runner/log-masker-go:3f2a".into(),
        id: "sha256:abc".into(),
        source: "scratch".into(),
        cached: true,
        build_ns: 1_000,
        memory_limit_bytes: 1 << 30,
        cpus: Some(1.0),
        network: None,
    });
    // Another build of Go, never ranked: its language and its comparison with it.
    let mut stdlib = JobReport::new("go (stdlib)", false, JobStatus::Ok);
    stdlib.variant_of = Some("go".into());
    stdlib.samples = vec![sample(30_000_000, 0.030), sample(31_000_000, 0.031)];
    stdlib.summary = Some(job_summary(&[0.030, 0.031]));
    stdlib.against_headline = Some(ComparisonReport {
        a: "go (stdlib)".into(),
        b: "go".into(),
        stats: stats::compare(
            &stats::Sample::new(vec![0.030, 0.031]).unwrap(),
            &stats::Sample::new(vec![0.020, 0.021]).unwrap(),
            0.02,
        )
        .into(),
        better: Some("go".into()),
    });
    let mut rust = JobReport::new("rust", false, JobStatus::BuildFailed);
    rust.reason = Some("build failed".into());
    rust.stderr_tail = Some("error[E0308]".into());
    let zig = JobReport::new("zig", false, JobStatus::NotImplemented);
    let mut sed = JobReport::new("sed", true, JobStatus::Unverified);
    sed.samples = vec![sample(200_000_000, 0.2), sample(201_000_000, 0.201)];
    sed.summary = Some(job_summary(&[0.2, 0.201]));
    let a = stats::Sample::new(vec![0.020, 0.021]).unwrap();
    let b = stats::Sample::new(vec![0.2, 0.201]).unwrap();
    ProjectReport {
        id: "3.3".into(),
        slug: "log-masker".into(),
        group: 3,
        manifest: "manifests/log-masker.toml".into(),
        manifest_sha256: "e79e8808fe79".into(),
        text: wire::texts(&BTreeMap::from([("en".to_string(), text)])),
        metric: Some(MetricInfo {
            name: "wall_time".into(),
            unit: "s".into(),
            better: manifest::Better::Lower.into(),
            min_effect: 0.02,
        }),
        params: BTreeMap::from([("size".to_string(), "200M".to_string())]),
        param_defaults: BTreeMap::from([("size".to_string(), "1G".to_string())]),
        sampling: Some(SamplingReport {
            min_runs: 2,
            max_runs: 2,
            manifest_min_runs: 10,
            published_runs: Some(5),
            runs_override: Some(2),
            reduced: true,
        }),
        gate: vec![
            gate_check("project", &[], 12.0, false),
            gate_check("round 2", &["go", "sed"], 0.0, true),
        ],
        inputs: vec![InputReport {
            name: "log".into(),
            path: ".runner/inputs/log-200M".into(),
            bytes: 200_000_000,
            sha256: "aa55".into(),
            cache_key: Some("loggen-200M-seed1".into()),
            cached: true,
        }],
        status: ProjectStatus::Finished,
        reason: None,
        jobs: vec![go, stdlib, rust, zig],
        references: vec![sed],
        comparisons: vec![ComparisonReport {
            a: "go".into(),
            b: "sed".into(),
            stats: stats::compare(&a, &b, 0.02).into(),
            better: Some("go".into()),
        }],
        warnings: vec!["go: 1 outlier".into()],
    }
}

fn service_project() -> ProjectReport {
    let round = |rps: f64| LoadRound {
        window_ns: 3_000_000_000,
        requests: (rps * 3.0) as u64,
        rps,
        body_bytes_per_s: rps * 512.0,
        latency: latency(250.0),
        latency_corrected: Some(latency(300.0)),
        statuses: BTreeMap::from([("200".to_string(), (rps * 3.0) as u64)]),
        errors: BTreeMap::from([("timeout".to_string(), 1)]),
        server_user_ns: 900_000_000,
        server_sys_ns: 300_000_000,
        server_max_rss_bytes: 12_000_000,
    };
    let mut rust = JobReport::new("rust", false, JobStatus::Ok);
    rust.samples = vec![
        sample(3_000_000_000, 40_000.0),
        sample(3_000_000_000, 41_000.0),
    ];
    rust.summary = Some(job_summary(&[40_000.0, 41_000.0]));
    rust.load = vec![LoadLevel {
        connections: 64,
        rate: Some(50_000.0),
        headline: true,
        rounds: vec![round(40_000.0), round(41_000.0)],
        rps: Some(summary(&[40_000.0, 41_000.0])),
    }];
    rust.image = Some(ImageReport {
        tag: "runner/reverse-proxy-rust:9c1d".into(),
        id: "sha256:def".into(),
        source: "dockerfile".into(),
        cached: false,
        build_ns: 2_000,
        memory_limit_bytes: 1 << 30,
        cpus: None,
        network: Some(
            exec::Placement {
                network: exec::Network::Published,
                port: 18080,
                bind: "0.0.0.0".into(),
                fixture_host: IpAddr::V4(Ipv4Addr::new(172, 17, 0, 1)),
                client: IpAddr::V4(Ipv4Addr::new(172, 17, 0, 1)),
                forwarding: "docker-proxy".into(),
            }
            .into(),
        ),
    });
    ProjectReport {
        id: "2.1".into(),
        slug: "reverse-proxy".into(),
        group: 2,
        manifest: "manifests/reverse-proxy.toml".into(),
        manifest_sha256: "83aa05aaa3e2".into(),
        text: BTreeMap::new(),
        metric: Some(MetricInfo {
            name: "requests".into(),
            unit: "req/s".into(),
            better: manifest::Better::Higher.into(),
            min_effect: 0.05,
        }),
        params: BTreeMap::new(),
        param_defaults: BTreeMap::new(),
        sampling: None,
        gate: Vec::new(),
        inputs: Vec::new(),
        status: ProjectStatus::Finished,
        reason: None,
        jobs: vec![rust],
        references: Vec::new(),
        comparisons: Vec::new(),
        warnings: Vec::new(),
    }
}

/// A look of the quiet-machine gate before `before`, busy or not.
fn gate_check(before: &str, jobs: &[&str], waited_s: f64, busy: bool) -> GateCheck {
    let a = activity::Activity {
        window_s: 1.0,
        cpus: 2,
        foreign_cpus: if busy { 1.4 } else { 0.1 },
        steal_pct: 0.5,
        load_avg: 1.2,
        memory_pressure_pct: Some(0.0),
        memory_available_pct: 71.5,
        top: vec![activity::Consumer {
            name: "rustc".into(),
            pids: vec![4242, 4243],
            cpus: if busy { 1.3 } else { 0.08 },
        }],
    };
    GateCheck {
        before: before.into(),
        jobs: jobs.iter().map(|j| j.to_string()).collect(),
        activity: (&a).into(),
        waited_s,
        busy: if busy {
            vec!["other processes used 1.40 CPUs (limit 0.25)".into()]
        } else {
            Vec::new()
        },
    }
}

/// The fixture: every field of the contract set.
fn fixture() -> Report {
    Report {
        schema_version: SCHEMA_VERSION,
        runner_version: "0.1.0".into(),
        started_at: "2026-11-26T02:05:35Z".into(),
        finished_at: Some("2026-11-26T02:35:00Z".into()),
        complete: true,
        interrupted: false,
        command: vec!["runner".into(), "bench".into(), "--seed".into(), "7".into()],
        backend: "docker".into(),
        host: host("ci-1"),
        toolchains: BTreeMap::from([("go".to_string(), "go version go1.27.3".to_string())]),
        pins: BTreeMap::from([("go".to_string(), "1.27.3".to_string())]),
        git: Git {
            commit: Some("976c2d0b".into()),
            dirty: false,
        },
        cpu_target: Some(
            toolchain::cpu::CpuTarget {
                level: "x86-64-v3".into(),
                go: "v3".into(),
                rust: "x86-64-v3".into(),
                zig: "x86_64_v3".into(),
            }
            .into(),
        ),
        probe: "runner-probe".into(),
        mode: "time".into(),
        pinned_cpu: Some(1),
        load_avg_end: Some(0.5),
        environment: vec!["virtual machine".into()],
        gate: Some(GateLimits::default()),
        schedule: ScheduleInfo {
            seed: 7,
            interleaved: true,
        },
        projects: vec![service_project(), command_project()],
        shards: vec![ShardInfo {
            started_at: "2026-11-26T02:05:35Z".into(),
            host: host("ci-2"),
            git: Git::default(),
            toolchains: BTreeMap::new(),
            projects: vec!["log-masker".into()],
        }],
        docker: Some(DockerInfo {
            host: "unix:///var/run/docker.sock".into(),
            engine_version: "27.0".into(),
            api_version: "1.46".into(),
            network: "none".into(),
        }),
    }
}

#[test]
fn the_json_of_a_report_is_pinned() {
    let report = fixture();
    let json = serde_json::to_string_pretty(&report).unwrap();
    insta::assert_snapshot!("fixture_report", json);
    // And it reads back as the same report.
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
}
