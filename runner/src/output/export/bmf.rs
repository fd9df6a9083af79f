//! Bencher Metric Format (BMF, <https://bencher.dev/docs/reference/bencher-metric-format/>):
//! `{"<slug>/<job>": {"<measure>": {"value", "lower_value", "upper_value"}}}`. Measures:
//! `latency` (mean wall time in nanoseconds, as Bencher's built-in latency measure expects, with
//! the 95% CI as bounds), `throughput` (the headline, when the project's metric is throughput or
//! requests per second, in the metric's unit, with its 95% CI), `peak-rss` (bytes: mean of the runs'
//! peaks, bounds min and max) and `file-size` (the binary's size in bytes, when the build reported
//! it: Bencher's built-in measure for a file's size).

use crate::report::Report;
use serde_json::{json, Map, Value};

fn measure(value: f64, low: f64, high: f64) -> Value {
    json!({"value": value, "lower_value": low, "upper_value": high})
}

/// Renders the report as BMF JSON.
pub fn render(report: &Report) -> String {
    let mut doc = Map::new();
    for (p, j, s) in super::measured(report) {
        let mut m = Map::new();
        m.insert(
            "latency".into(),
            measure(
                s.wall_s.mean * 1e9,
                s.wall_s.ci95_low * 1e9,
                s.wall_s.ci95_high * 1e9,
            ),
        );
        if p.metric
            .as_ref()
            .is_some_and(|m| m.name == "throughput" || m.name == "requests")
        {
            m.insert(
                "throughput".into(),
                measure(s.headline.mean, s.headline.ci95_low, s.headline.ci95_high),
            );
        }
        m.insert(
            "peak-rss".into(),
            measure(
                s.max_rss_bytes.mean,
                s.max_rss_bytes.min,
                s.max_rss_bytes.max,
            ),
        );
        if let Some(b) = j.build.as_ref().and_then(|b| b.artifact_bytes) {
            m.insert("file-size".into(), json!({"value": b as f64}));
        }
        doc.insert(super::bench_name(p, j), Value::Object(m));
    }
    let mut text = serde_json::to_string_pretty(&Value::Object(doc)).unwrap_or_default();
    text.push('\n');
    text
}
