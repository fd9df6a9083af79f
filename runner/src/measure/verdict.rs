//! One way to fail a job: [`fail`] sets its verdict, the reason and the tail of its stderr, and
//! emits [`Event::JobFinished`] — so a verdict the report records is always one the user saw.
//! [`job`] finds a contender's job report. Deciding *which* verdict applies is the caller's.

use crate::event::{Event, EventSink};
use crate::plan::Contender;
use crate::report::{JobReport, JobStatus, ProjectReport};

/// The report of contender `c` (named `name`).
pub fn job<'r>(report: &'r mut ProjectReport, c: &Contender, name: &str) -> &'r mut JobReport {
    match c {
        Contender::Lang(_) => report
            .jobs
            .iter_mut()
            .find(|j| j.name == name)
            .expect("every language has a job report"),
        Contender::Reference(i) => &mut report.references[*i],
    }
}

/// Fails `jr` with `status` and `reason` (and the stderr tail, when there is one) and says so.
pub fn fail(
    events: &mut dyn EventSink,
    jr: &mut JobReport,
    status: JobStatus,
    reason: String,
    tail: Option<String>,
) {
    jr.status = status;
    jr.reason = Some(reason);
    jr.stderr_tail = tail;
    finished(events, jr);
}

/// Emits [`Event::JobFinished`] for `jr` as it stands.
pub fn finished(events: &mut dyn EventSink, jr: &JobReport) {
    let status = serde_json::to_value(jr.status)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    events.emit(Event::JobFinished {
        job: jr.name.clone(),
        status,
        reason: jr.reason.clone(),
    });
}
