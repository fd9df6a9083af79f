//! The host fingerprint recorded in every report: CPU model, cores, memory, frequency governor,
//! kernel, OS, virtualisation and load. Read from /proc and /sys; a value that cannot be read is
//! "unknown", never an error.

use serde::{Deserialize, Serialize};

/// The machine a report was measured on.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Host {
    /// Host name.
    pub hostname: String,
    /// CPU model name.
    pub cpu_model: String,
    /// Logical CPUs available.
    pub cores: usize,
    /// Total memory, bytes.
    pub memory_bytes: u64,
    /// cpufreq scaling governor of cpu0, or "unknown".
    pub governor: String,
    /// Kernel release.
    pub kernel: String,
    /// OS name (PRETTY_NAME).
    pub os: String,
    /// Running under a hypervisor (the `hypervisor` CPU flag).
    pub virtualized: bool,
    /// CPU boost/turbo enabled (`None` when the kernel does not say).
    #[serde(default)]
    pub turbo: Option<bool>,
    /// 1-minute load average when the run started.
    pub load_avg_start: f64,
    /// Architecture.
    pub arch: String,
}

fn read(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
}

/// The current 1-minute load average.
pub fn load_avg() -> f64 {
    crate::activity::load_avg()
}

/// Whether CPU boost is on: intel_pstate's `no_turbo`, or cpufreq's `boost`.
fn turbo() -> Option<bool> {
    if let Some(v) = read("/sys/devices/system/cpu/intel_pstate/no_turbo") {
        return Some(v == "0");
    }
    read("/sys/devices/system/cpu/cpufreq/boost").map(|v| v == "1")
}

/// What about this machine can disturb wall-clock measurements, in words a user can act on.
/// (Instruction counts are not affected by frequency or load; only virtualisation is noted.)
/// Load is not among them: the quiet-machine gate (`measure/quiet.rs`) judges the machine before
/// and over every measured round and marks what it disturbed, while the load average at the end
/// mostly counts the benchmark's own last runs.
pub fn environment_warnings(h: &Host, counting_instructions: bool) -> Vec<String> {
    let mut w = Vec::new();
    if !counting_instructions {
        if h.governor != "unknown" && h.governor != "performance" {
            w.push(format!("CPU frequency governor is `{}`: set `performance` for steadier timings (cpupower frequency-set -g performance)", h.governor));
        }
        if h.turbo == Some(true) {
            w.push("CPU boost/turbo is on: clock speed varies with temperature and load; disable it for steadier timings".into());
        }
    }
    if h.virtualized {
        w.push("running in a virtual machine: neighbours on the host can add noise; compare ratios measured in one run, or use --mode instructions".into());
    }
    w
}

impl Host {
    /// Reads the fingerprint of this machine.
    pub fn detect() -> Host {
        let cpuinfo = read("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_else(|| "unknown".into());
        let virtualized = cpuinfo
            .lines()
            .any(|l| l.starts_with("flags") && l.split_whitespace().any(|f| f == "hypervisor"));
        let memory_bytes = read("/proc/meminfo")
            .and_then(|m| {
                m.lines().find(|l| l.starts_with("MemTotal")).and_then(|l| {
                    l.split_whitespace()
                        .nth(1)
                        .and_then(|v| v.parse::<u64>().ok())
                })
            })
            .map_or(0, |kb| kb * 1024);
        let os = read("/etc/os-release")
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("PRETTY_NAME="))
                    .map(|l| l[12..].trim_matches('"').to_string())
            })
            .unwrap_or_else(|| "unknown".into());
        Host {
            hostname: read("/proc/sys/kernel/hostname").unwrap_or_else(|| "unknown".into()),
            cpu_model,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory_bytes,
            governor: read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")
                .unwrap_or_else(|| "unknown".into()),
            kernel: read("/proc/sys/kernel/osrelease").unwrap_or_else(|| "unknown".into()),
            os,
            virtualized,
            turbo: turbo(),
            load_avg_start: load_avg(),
            arch: std::env::consts::ARCH.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn detects_something_real() {
        let h = super::Host::detect();
        assert!(h.cores >= 1);
        assert!(h.memory_bytes > 0);
        assert_ne!(h.kernel, "unknown");
    }
}
