//! What people read, made from reports and events only: `render/` (the README status parts and
//! charts, from the latest reports), `export/` (hyperfine, Bencher BMF, github-action-benchmark,
//! CSV and markdown files), `table.rs` (the terminal tables) and `progress.rs` (the only user of
//! indicatif, drawing measurement events). Nothing here measures or changes a report.

pub mod export;
pub mod progress;
pub mod render;
pub mod table;
