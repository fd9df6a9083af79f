//! SVG bar charts of one project (the only user of plotters): one bar per language at the mean,
//! a whisker over the 95% confidence interval of the mean, the value and its CI written above,
//! and, where a language has no number, what happened instead (`✗ build failed`, `—`…).
//!
//! Charts are language-neutral (English words, shared by both READMEs) and deterministic: the
//! same data gives the same bytes, so `runner render --check` can compare them. Values are scaled
//! to a readable unit and labelled through `units`.

use super::model::{Bar, ChartData};
use crate::manifest::Better;
use crate::units;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Size of every chart, pixels.
pub const SIZE: (u32, u32) = (720, 420);

const FONT: &str = "sans-serif";
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
const FAILED: RGBColor = RGBColor(0xB0, 0x20, 0x20);

/// The colour of a language's bars (Go's, Rust's and Zig's usual brand colours).
fn colour(label: &str) -> RGBColor {
    match label {
        "Go" => RGBColor(0x00, 0xAD, 0xD8),
        "Rust" => RGBColor(0xB7, 0x41, 0x0E),
        "Zig" => RGBColor(0xF7, 0xA4, 0x1D),
        _ => RGBColor(0x99, 0x99, 0x99),
    }
}

fn value_label(b: &Bar, unit: &str) -> Option<String> {
    let v = b.value.as_ref()?;
    let noisy = if crate::stats::interval::is_noisy(v.mean, v.low, v.high) {
        " (noisy)"
    } else {
        ""
    };
    Some(format!(
        "{} {}{noisy}",
        units::value(v.mean, unit),
        units::ci_percent(v.mean, v.low, v.high)
    ))
}

/// Draws `chart` as an SVG document.
pub fn svg(chart: &ChartData) -> Result<String, String> {
    let mut out = String::new();
    draw(chart, &mut out).map_err(|e| format!("{}: cannot draw the chart: {e}", chart.file))?;
    Ok(out)
}

fn draw(chart: &ChartData, out: &mut String) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(out, SIZE).into_drawing_area();
    root.fill(&WHITE)?;

    let top = chart
        .bars
        .iter()
        .filter_map(|b| b.value.as_ref())
        .map(|v| v.high.max(v.mean))
        .fold(0.0f64, f64::max);
    let (factor, shown) = units::axis_scale(&chart.unit, top);
    // Headroom above the tallest whisker for its label.
    let y_max = if top > 0.0 { top * factor * 1.22 } else { 1.0 };
    let n = chart.bars.len().max(1) as f64;

    let direction = match chart.better {
        Better::Higher => "higher is better",
        Better::Lower => "lower is better",
    };
    let mut cc = ChartBuilder::on(&root)
        .caption(&chart.title, (FONT, 19).into_font().color(&INK))
        .margin(16)
        .margin_top(12)
        .x_label_area_size(64)
        .y_label_area_size(76)
        .build_cartesian_2d(0f64..n, 0f64..y_max)?;
    cc.configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(6)
        .y_label_formatter(&|v| units::axis_tick(*v))
        .y_desc(format!("{shown} ({direction})"))
        .axis_desc_style((FONT, 15).into_font().color(&MUTED))
        .label_style((FONT, 14).into_font().color(&MUTED))
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .draw()?;

    for (i, b) in chart.bars.iter().enumerate() {
        let x = i as f64;
        let centre = x + 0.5;
        let Some(v) = &b.value else {
            continue;
        };
        let c = colour(&b.label);
        cc.draw_series(std::iter::once(Rectangle::new(
            [(x + 0.22, 0.0), (x + 0.78, v.mean * factor)],
            c.filled(),
        )))?;
        // The whisker: 95% CI of the mean, with caps wide enough to stay visible when the
        // interval is narrower than a pixel.
        let (lo, hi) = (v.low * factor, v.high * factor);
        let whisker = ShapeStyle::from(&INK).stroke_width(2);
        for seg in [
            vec![(centre, lo), (centre, hi)],
            vec![(centre - 0.07, lo), (centre + 0.07, lo)],
            vec![(centre - 0.07, hi), (centre + 0.07, hi)],
        ] {
            cc.draw_series(std::iter::once(PathElement::new(seg, whisker)))?;
        }
    }

    // Labels in pixel coordinates: above each whisker, and under the axis.
    for (i, b) in chart.bars.iter().enumerate() {
        let centre = i as f64 + 0.5;
        let (px, axis_y) = cc.backend_coord(&(centre, 0.0));
        let weight = if b.winner {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        };
        root.draw(&Text::new(
            b.label.clone(),
            (px, axis_y + 10),
            (FONT, 17)
                .into_font()
                .style(weight)
                .color(&INK)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
        match (&b.value, value_label(b, &chart.unit)) {
            (Some(v), Some(label)) => {
                let (_, top_y) = cc.backend_coord(&(centre, v.high.max(v.mean) * factor));
                root.draw(&Text::new(
                    label,
                    (px, top_y - 8),
                    (FONT, 15)
                        .into_font()
                        .style(weight)
                        .color(&INK)
                        .pos(Pos::new(HPos::Center, VPos::Bottom)),
                ))?;
                root.draw(&Text::new(
                    format!("n = {}", v.n),
                    (px, axis_y + 32),
                    (FONT, 13)
                        .into_font()
                        .color(&MUTED)
                        .pos(Pos::new(HPos::Center, VPos::Top)),
                ))?;
            }
            _ => {
                let failed = b.note.starts_with('✗');
                root.draw(&Text::new(
                    b.note.clone(),
                    (px, axis_y - 12),
                    (FONT, 15)
                        .into_font()
                        .color(if failed { &FAILED } else { &MUTED })
                        .pos(Pos::new(HPos::Center, VPos::Bottom)),
                ))?;
            }
        }
    }
    root.draw(&Text::new(
        chart.footnote.clone(),
        (SIZE.0 as i32 - 16, SIZE.1 as i32 - 8),
        (FONT, 12)
            .into_font()
            .color(&MUTED)
            .pos(Pos::new(HPos::Right, VPos::Bottom)),
    ))?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::render::model::BarValue;

    fn bar(label: &str, mean: Option<f64>, note: &str) -> Bar {
        Bar {
            label: label.into(),
            value: mean.map(|m| BarValue {
                mean: m,
                low: m * 0.99,
                high: m * 1.01,
                n: 10,
            }),
            note: note.into(),
            winner: label == "Rust",
        }
    }

    #[test]
    fn draws_bars_labels_and_notes() {
        let c = ChartData {
            file: "x.svg".into(),
            title: "3.3 Log Masker — throughput".into(),
            unit: "MB/s".into(),
            better: Better::Higher,
            footnote: "bar: mean".into(),
            bars: vec![
                bar("Go", Some(300.0), ""),
                bar("Rust", Some(528.0), ""),
                bar("Zig", None, "✗ build failed"),
            ],
        };
        let svg = svg(&c).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
        assert!(svg.contains("528 MB/s ±1.0%"));
        assert!(svg.contains("✗ build failed"));
        assert_eq!(svg.matches("fill=\"#00ADD8\"").count(), 1, "one Go bar");
        assert_eq!(svg.matches("fill=\"#B7410E\"").count(), 1, "one Rust bar");
        assert_eq!(svg.matches("fill=\"#F7A41D\"").count(), 0, "no Zig bar");
        assert_eq!(svg, super::svg(&c).unwrap(), "deterministic");
    }
}
