//! One CPU target level for every build of every language, declared in `toolchains.toml`
//! (`[cpu] level`), so that no language wins by using instructions another was denied.
//!
//! The x86-64 microarchitecture levels (v1 = baseline SSE2, v2 = SSE4.2/POPCNT, v3 = AVX2/BMI2,
//! v4 = AVX-512) and how each toolchain spells them: Go's `GOAMD64`, rustc's `-C target-cpu`,
//! Zig's `-Dcpu` model names. The runner sets `GOAMD64` and `RUSTFLAGS` for builds and offers
//! `{cpu.go}`, `{cpu.rust}`, `{cpu.zig}` placeholders for build commands (Zig needs `-Dcpu=`).

use serde::{Deserialize, Serialize};

/// An x86-64 microarchitecture level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Level {
    /// Baseline x86-64 (SSE2).
    #[default]
    #[serde(rename = "x86-64")]
    V1,
    /// x86-64-v2 (SSE4.2, POPCNT).
    #[serde(rename = "x86-64-v2")]
    V2,
    /// x86-64-v3 (AVX2, BMI2, FMA).
    #[serde(rename = "x86-64-v3")]
    V3,
    /// x86-64-v4 (AVX-512).
    #[serde(rename = "x86-64-v4")]
    V4,
}

/// How the level was applied, recorded in every report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpuTarget {
    /// The level's name, e.g. `x86-64-v3`.
    pub level: String,
    /// `GOAMD64` given to Go builds.
    pub go: String,
    /// `-C target-cpu` given to Rust builds (through `RUSTFLAGS`).
    pub rust: String,
    /// `-Dcpu` model for Zig builds (`{cpu.zig}`).
    pub zig: String,
}

impl Level {
    /// All levels.
    pub const ALL: [Level; 4] = [Level::V1, Level::V2, Level::V3, Level::V4];

    /// The level's name as written in toolchains.toml.
    pub fn name(self) -> &'static str {
        match self {
            Level::V1 => "x86-64",
            Level::V2 => "x86-64-v2",
            Level::V3 => "x86-64-v3",
            Level::V4 => "x86-64-v4",
        }
    }

    /// Parses a level name (`x86-64`, `x86-64-v1` … `x86-64-v4`).
    pub fn parse(s: &str) -> Option<Level> {
        if s == "x86-64-v1" {
            return Some(Level::V1);
        }
        Level::ALL.into_iter().find(|l| l.name() == s)
    }

    /// Go's `GOAMD64`.
    pub fn go(self) -> &'static str {
        match self {
            Level::V1 => "v1",
            Level::V2 => "v2",
            Level::V3 => "v3",
            Level::V4 => "v4",
        }
    }

    /// rustc's `-C target-cpu`.
    pub fn rust(self) -> &'static str {
        self.name()
    }

    /// Zig's CPU model name for `-Dcpu=` / `-mcpu=`.
    pub fn zig(self) -> &'static str {
        match self {
            Level::V1 => "x86_64",
            Level::V2 => "x86_64_v2",
            Level::V3 => "x86_64_v3",
            Level::V4 => "x86_64_v4",
        }
    }

    /// What the report records.
    pub fn target(self) -> CpuTarget {
        CpuTarget {
            level: self.name().into(),
            go: self.go().into(),
            rust: self.rust().into(),
            zig: self.zig().into(),
        }
    }

    /// Environment for builds: `GOAMD64`, and `RUSTFLAGS` with `-C target-cpu` appended to any
    /// flags the user already set.
    pub fn build_env(self) -> Vec<(String, String)> {
        let mut rustflags = std::env::var("RUSTFLAGS").unwrap_or_default();
        if !rustflags.is_empty() {
            rustflags.push(' ');
        }
        rustflags.push_str(&format!("-C target-cpu={}", self.rust()));
        vec![
            ("GOAMD64".into(), self.go().into()),
            ("RUSTFLAGS".into(), rustflags),
        ]
    }

    /// The placeholder value for `{cpu.go}`, `{cpu.rust}`, `{cpu.zig}`.
    pub fn placeholder(self, name: &str) -> Option<String> {
        match name {
            "cpu.go" => Some(self.go().into()),
            "cpu.rust" => Some(self.rust().into()),
            "cpu.zig" => Some(self.zig().into()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_level_maps_to_each_toolchain() {
        let table = [
            ("x86-64", "v1", "x86-64", "x86_64"),
            ("x86-64-v2", "v2", "x86-64-v2", "x86_64_v2"),
            ("x86-64-v3", "v3", "x86-64-v3", "x86_64_v3"),
            ("x86-64-v4", "v4", "x86-64-v4", "x86_64_v4"),
        ];
        for (name, go, rust, zig) in table {
            let l = Level::parse(name).unwrap();
            assert_eq!((l.name(), l.go(), l.rust(), l.zig()), (name, go, rust, zig));
            let env = l.build_env();
            assert!(env.contains(&("GOAMD64".to_string(), go.to_string())));
            assert!(env
                .iter()
                .any(|(k, v)| k == "RUSTFLAGS" && v.ends_with(&format!("-C target-cpu={rust}"))));
        }
        assert_eq!(Level::parse("x86-64-v1"), Some(Level::V1));
        assert_eq!(Level::parse("native"), None);
    }
}
