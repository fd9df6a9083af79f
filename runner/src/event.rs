//! What measurement tells the outside world. Measurement code never prints: it emits these
//! events, and a reporter (`progress.rs`) draws them — or a test collects them.

/// Something that happened during a bench.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Toolchains are being installed.
    Provisioning {
        /// What is being installed, and how (a sentence).
        what: String,
    },
    /// A project starts.
    ProjectStarted {
        /// Id.
        id: String,
        /// Slug.
        slug: String,
    },
    /// A project was skipped.
    ProjectSkipped {
        /// Id.
        id: String,
        /// Why.
        reason: String,
    },
    /// An input is being generated.
    InputGenerating {
        /// Input name.
        name: String,
    },
    /// An input is ready.
    InputReady {
        /// Input name.
        name: String,
        /// Size.
        bytes: u64,
        /// From cache.
        cached: bool,
    },
    /// A build starts.
    BuildStarted {
        /// Job name.
        job: String,
    },
    /// A build ended.
    BuildFinished {
        /// Job name.
        job: String,
        /// Succeeded.
        ok: bool,
        /// Seconds.
        seconds: f64,
    },
    /// Verification of a job ended.
    Verified {
        /// Job name.
        job: String,
        /// Passed.
        ok: bool,
        /// Details of the first failure.
        detail: String,
    },
    /// A measured sample.
    Sample {
        /// Job name.
        job: String,
        /// Index of the sample.
        index: usize,
        /// Headline value.
        value: f64,
        /// Unit.
        unit: String,
    },
    /// A job reached its verdict.
    JobFinished {
        /// Job name.
        job: String,
        /// Verdict (snake_case).
        status: String,
        /// Reason, if not ok.
        reason: Option<String>,
    },
    /// A project ended.
    ProjectFinished {
        /// Id.
        id: String,
    },
    /// The quiet-machine gate found the machine busy and waits for it to calm down.
    GateWaiting {
        /// What the look came before (`project`, `round 3`, `go run 2`).
        before: String,
        /// What is over its limit, in words.
        busy: String,
        /// The top consumers by name and pid, in words.
        top: String,
        /// Seconds of the project's wait left.
        wait_s: f64,
    },
    /// The machine calmed down after a wait.
    GateQuiet {
        /// What the look came before.
        before: String,
        /// Seconds waited.
        waited_s: f64,
    },
    /// The machine stayed busy for the whole wait.
    GateNoisy {
        /// What the look came before.
        before: String,
        /// What is over its limit, in words.
        busy: String,
        /// The top consumers by name and pid, in words.
        top: String,
        /// Seconds waited.
        waited_s: f64,
        /// The next round's jobs are marked noisy (false before a project: nothing measured).
        marks: bool,
    },
    /// Looking back over a measured round that just ended, the gate found that other work ran
    /// beside it: the round's jobs are marked noisy.
    GateDisturbed {
        /// The round (`round 3`, `go run 2`).
        during: String,
        /// What was over its limit over the round, in words.
        busy: String,
        /// The top consumers by name and pid, in words.
        top: String,
    },
    /// One run of a job under callgrind starts (`[metric] instructions`, `--instructions`).
    Counting {
        /// Job name.
        job: String,
    },
    /// That run ended: its instruction count, or none (the reason is a project warning).
    Counted {
        /// Job name.
        job: String,
        /// Instructions executed.
        instructions: Option<u64>,
    },
    /// Something the user should know.
    Warning {
        /// The message.
        message: String,
    },
}

/// Receives events.
pub trait EventSink {
    /// Handles one event.
    fn emit(&mut self, event: Event);
}

/// Collects events (tests).
#[derive(Debug, Default)]
pub struct Collect(pub Vec<Event>);

impl EventSink for Collect {
    fn emit(&mut self, event: Event) {
        self.0.push(event);
    }
}
