//! The round driver: the one loop that decides which contender runs next, for command and
//! service benchmarks alike. Warm-ups first, then measured runs until each contender has at
//! least `min_runs` runs and `min_time` of measured time and its relative standard error is at
//! most `target_rse` — or `max_runs` is reached ([`Limits`]).
//!
//! Interleaved (the default): every round runs each still-active contender once, in an order
//! shuffled per round by the seeded [`Schedule`], warm-up rounds included. `--sequential`: each
//! contender in turn runs its warm-ups and then all its measured runs before the next one starts
//! (hyperfine's way), for commands and services alike.
//!
//! Before every measured round (interleaved) or measured run (`--sequential`) the driver asks
//! the quiet-machine gate (`quiet.rs`) to look at the machine, and hands what it saw to the
//! report ([`Record`]): the one place the gate runs between rounds.
//!
//! What one run *is* (a process timed by the backend, or a server instance driven at every load
//! level) belongs to the caller's `step`; this file only orders the steps, keeps each
//! contender's headline values and measured time for the stopping rule, emits one
//! [`Event::Sample`] per measured value and hands the report to `update` after each round. It
//! never sets a verdict: a step that fails has already said why, and leaves the rounds.

use super::quiet::Record;
use super::{Context, Mode, Settings};
use crate::event::Event;
use crate::manifest::Sampling;
use crate::plan::Schedule;
use crate::report::SamplingReport;
use crate::stats;
use std::time::Duration;

/// Sampling limits after CLI overrides.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Warm-up runs.
    pub warmup: u32,
    /// Least runs.
    pub min_runs: u32,
    /// Most runs.
    pub max_runs: u32,
    /// Least measured time.
    pub min_time: Duration,
    /// Early-stop threshold.
    pub target_rse: f64,
    /// Per-run timeout.
    pub timeout: Duration,
}

impl Limits {
    /// Manifest settings with `--runs`, `--warmup`, `--timeout` applied.
    pub fn from(s: &Sampling, settings: &Settings) -> Limits {
        let mut l = Limits {
            warmup: settings.warmup.unwrap_or(s.warmup),
            min_runs: s.min_runs,
            max_runs: s.max_runs,
            min_time: s.min_time,
            target_rse: s.target_rse,
            timeout: settings.timeout.unwrap_or(s.timeout),
        };
        if let Some(n) = settings.runs {
            l.min_runs = n.max(1);
            l.max_runs = n.max(1);
            l.min_time = Duration::ZERO;
        }
        if settings.mode == super::Mode::Instructions {
            // Counts do not drift: two runs show that they agree; no warm-up needed. Valgrind
            // runs programs 20–100× slower.
            let n = settings.runs.unwrap_or(2).max(1);
            l.warmup = settings.warmup.unwrap_or(0);
            l.min_runs = n;
            l.max_runs = n;
            l.min_time = Duration::ZERO;
            l.timeout = (l.timeout * 100).min(Duration::from_secs(3 * 3600));
        }
        l
    }

    /// What the report says of these limits beside the manifest's own `s`: an exact `--runs`
    /// below the runs the manifest asks of a published number (`published_runs`, else
    /// `min_runs`) is reduced sampling. Instruction counts are never published, so never
    /// reduced.
    pub fn report(&self, s: &Sampling, settings: &Settings) -> SamplingReport {
        let floor = s.published_runs.unwrap_or(s.min_runs);
        SamplingReport {
            min_runs: self.min_runs,
            max_runs: self.max_runs,
            manifest_min_runs: s.min_runs,
            published_runs: s.published_runs,
            runs_override: settings.runs,
            reduced: settings.mode == Mode::Time && self.max_runs < floor,
        }
    }

    /// Whether a contender with these samples is done.
    pub fn done(&self, headline: &[f64], measured: Duration) -> bool {
        let n = headline.len() as u32;
        if n >= self.max_runs {
            return true;
        }
        if n < self.min_runs || measured < self.min_time {
            return false;
        }
        match stats::Sample::new(headline.to_vec()) {
            Ok(s) => stats::summarize(&s).rel_stderr <= self.target_rse,
            Err(_) => true,
        }
    }
}

/// What one step asks of its contender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// Which contender (index into the caller's list).
    pub contender: usize,
    /// A warm-up (not recorded) or a measured run.
    pub warm: bool,
    /// The number of measured values the contender has so far.
    pub recorded: usize,
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    /// A warm-up ran, or a measured run gave no headline value: the contender stays.
    Ran,
    /// A measured run gave this headline value and took this much measured time.
    Measured(f64, Duration),
    /// The contender failed (its verdict is set) and leaves the rounds.
    Left,
}

/// The contenders of one project as the driver sees them.
pub struct Contenders<'a> {
    /// Their names, for [`Event::Sample`].
    pub names: Vec<String>,
    /// The headline's unit, for [`Event::Sample`].
    pub unit: &'a str,
}

/// Runs warm-ups and measured rounds until every contender is done or has left, or Ctrl-C.
/// `report` (a project's report) is handed to `step`, to `update` after each round, and gets
/// the quiet-machine gate's look before each measured round.
pub fn drive<R: Record>(
    contenders: &Contenders<'_>,
    limits: &Limits,
    settings: &Settings,
    ctx: &mut Context<'_>,
    report: &mut R,
    update: &mut dyn FnMut(&R),
    step: &mut dyn FnMut(Step, &mut Context<'_>, &mut R) -> Outcome,
) {
    rounds(contenders, limits, settings, ctx, report, update, step);
    // The last round (or the one Ctrl-C cut short) is looked back on too.
    looked_back(ctx, report);
    update(report);
}

/// The rounds of [`drive`], until every contender is done or has left, or Ctrl-C.
fn rounds<R: Record>(
    contenders: &Contenders<'_>,
    limits: &Limits,
    settings: &Settings,
    ctx: &mut Context<'_>,
    report: &mut R,
    update: &mut dyn FnMut(&R),
    step: &mut dyn FnMut(Step, &mut Context<'_>, &mut R) -> Outcome,
) {
    let n = contenders.names.len();
    let mut tally = Tally {
        contenders,
        headlines: vec![Vec::new(); n],
        measured: vec![Duration::ZERO; n],
    };
    let mut schedule = Schedule::new(settings.seed, settings.interleaved);
    let mut active: Vec<usize> = (0..n).collect();
    if settings.interleaved {
        for _ in 0..limits.warmup {
            for i in schedule.round(&active) {
                if ctx.interrupt.is_set() {
                    return;
                }
                if !tally.run(i, true, step, ctx, report) {
                    active.retain(|&a| a != i);
                }
            }
        }
        update(report);
        let mut round = 0;
        while !active.is_empty() {
            round += 1;
            let jobs = active
                .iter()
                .map(|&i| contenders.names[i].clone())
                .collect();
            look(ctx, report, format!("round {round}"), jobs);
            for i in schedule.round(&active) {
                if ctx.interrupt.is_set() {
                    return;
                }
                if !tally.run(i, false, step, ctx, report) {
                    active.retain(|&a| a != i);
                }
            }
            active.retain(|&i| !tally.done(limits, i));
            update(report);
        }
    } else {
        for i in schedule.round(&active) {
            let mut alive = true;
            for _ in 0..limits.warmup {
                if ctx.interrupt.is_set() {
                    return;
                }
                alive = alive && tally.run(i, true, step, ctx, report);
            }
            while alive && !tally.done(limits, i) {
                if ctx.interrupt.is_set() {
                    return;
                }
                let name = &contenders.names[i];
                let before = format!("{name} run {}", tally.headlines[i].len() + 1);
                look(ctx, report, before, vec![name.clone()]);
                alive = tally.run(i, false, step, ctx, report);
            }
            update(report);
        }
    }
}

/// The gate's look back over the round just measured, then its look before `before`, which
/// measures `jobs`, into the report.
fn look<R: Record>(ctx: &mut Context<'_>, report: &mut R, before: String, jobs: Vec<String>) {
    looked_back(ctx, report);
    if let Some(check) = ctx
        .gate
        .check(&before, jobs, &mut *ctx.events, &ctx.interrupt)
    {
        report.record(check);
    }
}

/// The gate's look back over the round measured since its last look, into the report.
fn looked_back<R: Record>(ctx: &mut Context<'_>, report: &mut R) {
    if let Some(check) = ctx.gate.after_round(&mut *ctx.events) {
        report.record(check);
    }
}

/// Each contender's headline values and measured time so far.
struct Tally<'c, 'u> {
    contenders: &'c Contenders<'u>,
    headlines: Vec<Vec<f64>>,
    measured: Vec<Duration>,
}

impl Tally<'_, '_> {
    /// One step of contender `i`, recorded; false when it left.
    fn run<R>(
        &mut self,
        i: usize,
        warm: bool,
        step: &mut dyn FnMut(Step, &mut Context<'_>, &mut R) -> Outcome,
        ctx: &mut Context<'_>,
        report: &mut R,
    ) -> bool {
        let s = Step {
            contender: i,
            warm,
            recorded: self.headlines[i].len(),
        };
        match step(s, ctx, report) {
            Outcome::Left => false,
            Outcome::Ran => true,
            Outcome::Measured(value, took) => {
                self.headlines[i].push(value);
                self.measured[i] += took;
                ctx.events.emit(Event::Sample {
                    job: self.contenders.names[i].clone(),
                    index: self.headlines[i].len() - 1,
                    value,
                    unit: self.contenders.unit.to_string(),
                });
                true
            }
        }
    }

    fn done(&self, limits: &Limits, i: usize) -> bool {
        limits.done(&self.headlines[i], self.measured[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            warmup: 0,
            min_runs: 3,
            max_runs: 5,
            min_time: Duration::from_millis(10),
            target_rse: 0.01,
            timeout: Duration::from_secs(1),
        }
    }

    #[test]
    fn stopping_rule() {
        let l = limits();
        // Too few runs.
        assert!(!l.done(&[1.0, 1.0], Duration::from_secs(1)));
        // Enough runs, steady, enough time.
        assert!(l.done(&[1.0, 1.0, 1.0], Duration::from_secs(1)));
        // Enough runs but not enough time.
        assert!(!l.done(&[1.0, 1.0, 1.0], Duration::from_millis(1)));
        // Noisy: goes on…
        assert!(!l.done(&[1.0, 2.0, 3.0], Duration::from_secs(1)));
        // …until max_runs.
        assert!(l.done(&[1.0, 2.0, 3.0, 1.0, 2.0], Duration::from_secs(1)));
    }

    fn settings(interleaved: bool) -> Settings {
        Settings {
            langs: crate::manifest::Lang::ALL.to_vec(),
            runs: None,
            warmup: None,
            timeout: None,
            interleaved,
            seed: 3,
            params: Default::default(),
            quick: false,
            output_cap: 1 << 20,
            build_timeout: Duration::from_secs(1),
            no_references: false,
            cpu: Default::default(),
            mode: super::super::Mode::Time,
            instructions: super::super::Counting::Off,
            pin: None,
            load_duration: None,
            load_warmup: None,
            memory: None,
            cpus: None,
            network: None,
            gate: None,
        }
    }

    /// What a test drive saw: the steps as `(contender, warm)`, and the gate's looks as
    /// `(before, jobs)`.
    #[derive(Default)]
    struct Log {
        steps: Vec<(usize, bool)>,
        looks: Vec<(String, Vec<String>)>,
    }

    impl Record for Log {
        fn record(&mut self, check: crate::report::GateCheck) {
            self.looks.push((check.before, check.jobs));
        }
    }

    /// Always quiet, at once.
    struct Calm;

    impl super::super::quiet::Look for Calm {
        fn look(&mut self, _: Duration) -> crate::activity::Activity {
            crate::activity::Activity {
                cpus: 1,
                ..Default::default()
            }
        }

        fn since_last(&mut self) -> Option<crate::activity::Activity> {
            Some(self.look(Duration::ZERO))
        }
    }

    /// Drives three contenders (1 warm-up, exactly 3 runs each; contender 2 fails at its second
    /// measured run) and returns what it saw and the number of samples.
    fn steps(interleaved: bool) -> (Log, usize) {
        let mut backend = crate::exec::fake::Fake::new();
        let mut events = crate::event::Collect(Vec::new());
        let mut ctx = Context {
            root: "/".into(),
            work: "/".into(),
            cache: "/".into(),
            env: Vec::new(),
            backend: &mut backend,
            interrupt: crate::exec::interrupt::Interrupt::none(),
            events: &mut events,
            gate: super::super::Gate::with(
                Some(crate::report::GateLimits::default()),
                Box::new(Calm),
            ),
        };
        let limits = Limits {
            warmup: 1,
            min_runs: 3,
            max_runs: 3,
            ..limits()
        };
        let contenders = Contenders {
            names: vec!["a".into(), "b".into(), "c".into()],
            unit: "s",
        };
        let mut log = Log::default();
        let mut updates = 0;
        rounds_of(
            &contenders,
            &limits,
            interleaved,
            &mut ctx,
            &mut log,
            &mut updates,
        );
        let samples = events
            .0
            .iter()
            .filter(|e| matches!(e, Event::Sample { .. }))
            .count();
        (log, samples)
    }

    fn rounds_of(
        contenders: &Contenders<'_>,
        limits: &Limits,
        interleaved: bool,
        ctx: &mut Context<'_>,
        log: &mut Log,
        updates: &mut usize,
    ) {
        drive(
            contenders,
            limits,
            &settings(interleaved),
            ctx,
            log,
            &mut |_| *updates += 1,
            &mut |s, _, log: &mut Log| {
                log.steps.push((s.contender, s.warm));
                match (s.contender, s.warm, s.recorded) {
                    (_, true, _) => Outcome::Ran,
                    (2, false, 1) => Outcome::Left,
                    _ => Outcome::Measured(1.0, Duration::from_secs(1)),
                }
            },
        );
    }

    #[test]
    fn sequential_runs_each_contender_to_the_end_before_the_next() {
        let (log, samples) = steps(false);
        assert_eq!(
            log.steps,
            vec![
                (0, true),
                (0, false),
                (0, false),
                (0, false),
                (1, true),
                (1, false),
                (1, false),
                (1, false),
                (2, true),
                (2, false),
                (2, false),
            ]
        );
        assert_eq!(samples, 7);
        // The gate looks before every measured run, naming its contender, and back over each
        // when it has ended (the last one too).
        let looks: Vec<(&str, Vec<String>)> = log
            .looks
            .iter()
            .map(|(b, j)| (b.as_str(), j.clone()))
            .collect();
        let one = |n: &str| vec![n.to_string()];
        assert_eq!(
            looks,
            vec![
                ("a run 1", one("a")),
                ("during a run 1", one("a")),
                ("a run 2", one("a")),
                ("during a run 2", one("a")),
                ("a run 3", one("a")),
                ("during a run 3", one("a")),
                ("b run 1", one("b")),
                ("during b run 1", one("b")),
                ("b run 2", one("b")),
                ("during b run 2", one("b")),
                ("b run 3", one("b")),
                ("during b run 3", one("b")),
                ("c run 1", one("c")),
                ("during c run 1", one("c")),
                ("c run 2", one("c")),
                ("during c run 2", one("c")),
            ]
        );
    }

    #[test]
    fn interleaved_rounds_run_every_active_contender_once() {
        let (log, samples) = steps(true);
        // The gate looks once before every measured round, naming the contenders still in it
        // (c leaves during round 2), and back over each round when it has ended.
        let abc: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let ab: Vec<String> = vec!["a".into(), "b".into()];
        assert_eq!(
            log.looks,
            vec![
                ("round 1".to_string(), abc.clone()),
                ("during round 1".to_string(), abc.clone()),
                ("round 2".to_string(), abc.clone()),
                ("during round 2".to_string(), abc),
                ("round 3".to_string(), ab.clone()),
                ("during round 3".to_string(), ab),
            ]
        );
        let log = log.steps;
        // Warm-up round first: each contender once, warm.
        let mut warm: Vec<usize> = log[..3]
            .iter()
            .map(|&(c, w)| {
                assert!(w);
                c
            })
            .collect();
        warm.sort();
        assert_eq!(warm, vec![0, 1, 2]);
        // Then measured rounds: 3 for a and b, 2 for c (it leaves at its second).
        let measured = &log[3..];
        assert!(measured.iter().all(|&(_, w)| !w));
        for (c, n) in [(0, 3), (1, 3), (2, 2)] {
            assert_eq!(measured.iter().filter(|&&(x, _)| x == c).count(), n, "{c}");
        }
        // Every contender still active runs once per round.
        let mut first_two: Vec<usize> = measured[..3].iter().map(|&(c, _)| c).collect();
        first_two.sort();
        assert_eq!(first_two, vec![0, 1, 2]);
        assert_eq!(samples, 7);
    }
}
