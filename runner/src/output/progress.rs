//! Drawing progress: the only user of indicatif. On a terminal, a spinner line per project shows
//! the current step and the latest sample of each language; elsewhere (CI logs, pipes) one plain
//! line per milestone goes to stderr, never per sample.

use crate::event::{Event, EventSink};
use crate::units;
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::time::Duration;

/// The progress reporter.
pub struct Progress {
    bar: Option<ProgressBar>,
    project: String,
    latest: BTreeMap<String, String>,
}

impl Progress {
    /// A reporter drawing on stderr if it is a terminal, plain lines otherwise.
    pub fn new() -> Self {
        Progress {
            bar: None,
            project: String::new(),
            latest: BTreeMap::new(),
        }
    }

    fn tty() -> bool {
        std::io::stderr().is_terminal()
    }

    fn line(&self, text: &str) {
        match &self.bar {
            Some(b) => b.println(text),
            None => eprintln!("{text}"),
        }
    }

    fn status(&self, text: &str) {
        if let Some(b) = &self.bar {
            let samples: Vec<String> = self
                .latest
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            let tail = if samples.is_empty() {
                String::new()
            } else {
                format!("  [{}]", samples.join(" | "))
            };
            b.set_message(format!("{}: {text}{tail}", self.project));
        }
    }
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}

impl EventSink for Progress {
    fn emit(&mut self, event: Event) {
        match event {
            Event::Provisioning { what } => {
                let text = format!("provisioning: {what}");
                if Self::tty() {
                    // A spinner while pip works; the next project's bar replaces it.
                    let b = ProgressBar::new_spinner();
                    b.enable_steady_tick(Duration::from_millis(120));
                    b.set_message(text);
                    self.bar = Some(b);
                } else {
                    self.line(&text);
                }
            }
            Event::ProjectStarted { id, slug } => {
                if let Some(b) = self.bar.take() {
                    b.finish_and_clear();
                }
                self.project = format!("{id} {slug}");
                self.latest.clear();
                if Self::tty() {
                    let b = ProgressBar::new_spinner();
                    b.set_style(
                        ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}")
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    );
                    b.enable_steady_tick(Duration::from_millis(120));
                    self.bar = Some(b);
                    self.status("starting");
                } else {
                    self.line(&format!("== {id} {slug}"));
                }
            }
            Event::ProjectSkipped { id, reason } => self.line(&format!("{id}: skipped: {reason}")),
            Event::InputGenerating { name } => {
                self.status(&format!("generating input `{name}`"));
                if self.bar.is_none() {
                    self.line(&format!("  generating input `{name}`"));
                }
            }
            Event::InputReady {
                name,
                bytes,
                cached,
            } => {
                let how = if cached { "cached" } else { "generated" };
                self.line(&format!(
                    "  input {name}: {} ({how})",
                    units::bytes(bytes as f64)
                ));
            }
            Event::BuildStarted { job } => self.status(&format!("building {job}")),
            Event::BuildFinished { job, ok, seconds } => {
                let verdict = if ok { "ok" } else { "FAILED" };
                self.line(&format!(
                    "  build {job}: {verdict} ({})",
                    units::seconds(seconds)
                ));
            }
            Event::Counting { job } => self.status(&format!(
                "counting the instructions of {job} under callgrind"
            )),
            Event::Counted { job, instructions } => self.line(&match instructions {
                Some(n) => format!("  instructions {job}: {}", units::si(n as f64)),
                None => format!("  instructions {job}: none (see the warnings)"),
            }),
            Event::Verified { job, ok, detail } => {
                if ok {
                    self.line(&format!("  verify {job}: ok"));
                } else {
                    self.line(&format!("  verify {job}: FAILED: {detail}"));
                }
                self.status("measuring");
            }
            Event::Sample {
                job,
                index,
                value,
                unit,
            } => {
                self.latest.insert(
                    job.clone(),
                    format!("#{} {}", index + 1, units::value(value, &unit)),
                );
                self.status("measuring");
            }
            Event::JobFinished {
                job,
                status,
                reason,
            } => {
                if status != "ok" {
                    let r = reason.unwrap_or_default();
                    let first = r.lines().next().unwrap_or("");
                    self.line(&format!("  {job}: {status}: {first}"));
                }
            }
            Event::ProjectFinished { .. } => {
                if let Some(b) = self.bar.take() {
                    b.finish_and_clear();
                }
            }
            Event::GateWaiting {
                before,
                busy,
                top,
                wait_s,
            } => {
                let top = busiest(&top);
                self.line(&format!(
                    "  machine busy before {before}: {busy}{top}; waiting for it to calm down (up to {wait_s:.1} s)"
                ));
                self.status("waiting for a quiet machine");
            }
            Event::GateQuiet { before, waited_s } => {
                self.line(&format!(
                    "  machine quiet before {before} after {waited_s:.1} s"
                ));
                self.status("measuring");
            }
            Event::GateNoisy {
                before,
                busy,
                top,
                waited_s,
                marks,
            } => {
                let top = busiest(&top);
                let then = if marks {
                    "its numbers are marked noisy"
                } else {
                    "going on"
                };
                self.line(&format!(
                    "  machine still busy before {before} after {waited_s:.1} s: {busy}{top}; {then}"
                ));
            }
            Event::GateDisturbed { during, busy, top } => {
                let top = busiest(&top);
                self.line(&format!(
                    "  machine busy during {during}: {busy}{top}; its numbers are marked noisy"
                ));
            }
            Event::Warning { message } => self.line(&format!("warning: {message}")),
        }
    }
}

/// `; busiest: NAME (pid N) 0.50 CPUs, …` after what the gate found busy, or nothing when it
/// named no one.
fn busiest(top: &str) -> String {
    if top.is_empty() {
        String::new()
    } else {
        format!("; busiest: {top}")
    }
}
