//! Oracles written in Python (a project's `impls/<slug>/model.py`, the independent model its
//! `[[verify]]` command checks every implementation against) carry their own unit tests,
//! `impls/<slug>/model_test.py`. They run here so that `cargo test` (CI) runs them too.

use std::path::Path;
use std::process::Command;

#[test]
fn python_model_tests_pass() {
    let impls = Path::new(env!("CARGO_MANIFEST_DIR")).join("../impls");
    let mut found = 0;
    for entry in std::fs::read_dir(&impls).expect("impls/ exists") {
        let dir = entry.expect("readable impls/").path();
        if !dir.join("model_test.py").is_file() {
            continue;
        }
        found += 1;
        let out = Command::new("python3")
            .arg("model_test.py")
            .current_dir(&dir)
            .output()
            .expect("python3 runs (declared in the manifests' [requires])");
        assert!(
            out.status.success(),
            "{}/model_test.py failed:\n{}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(found > 0, "no impls/*/model_test.py found");
}
