//! Faults of the spec: unreadable documents, broken archives, locked and full databases, a
//! database that is already filled; and the command line (exit codes, messages, summary).

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;
use vector_ingester::chunk::Params;
use vector_ingester::embed::HashEmbedder;
use vector_ingester::ingest::ingest;
use vector_ingester::{Config, Error};

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata")
        .join(name)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vi-rust-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(corpus: &Path, db: &Path, cfg: &Config) -> Result<vector_ingester::Summary, Error> {
    ingest(corpus, db, cfg, &mut HashEmbedder::new())
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// A database left by a failed run: no `status`, whole batches, documents only when complete.
fn assert_consistent_partial(db: &Path, batch: i64) {
    let conn = Connection::open(db).unwrap();
    if count(
        &conn,
        "SELECT count(*) FROM sqlite_master WHERE name = 'meta'",
    ) == 0
    {
        return; // the first batch (which creates the tables) was rolled back: nothing at all
    }
    assert_eq!(
        count(&conn, "SELECT count(*) FROM meta WHERE key = 'status'"),
        0
    );
    let chunks = count(&conn, "SELECT count(*) FROM chunks");
    assert_eq!(
        chunks % batch,
        0,
        "a batch was half-written: {chunks} chunks"
    );
    assert_eq!(count(&conn, "SELECT count(*) FROM vectors"), chunks);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM documents d WHERE d.chunks != \
             (SELECT count(*) FROM chunks c WHERE c.doc_id = d.id)"
        ),
        0
    );
}

#[test]
fn dangling_symlink_and_symlink_to_a_directory_are_errors() {
    for (name, target) in [("dangling", "does-not-exist.txt"), ("to-dir", "sub")] {
        let dir = scratch(name);
        let corpus = dir.join("corpus");
        std::fs::create_dir_all(corpus.join("sub")).unwrap();
        std::fs::write(
            corpus.join("a.txt"),
            "first document, ingested before the failure",
        )
        .unwrap();
        std::os::unix::fs::symlink(target, corpus.join("b-link.txt")).unwrap();
        let cfg = Config {
            batch: 1,
            ..Config::default()
        };
        let err = run(&corpus, &dir.join("v.db"), &cfg).unwrap_err();
        assert!(err.subject.ends_with("b-link.txt"), "{err}");
        assert_consistent_partial(&dir.join("v.db"), 1);
        let conn = Connection::open(dir.join("v.db")).unwrap();
        assert_eq!(
            count(&conn, "SELECT count(*) FROM chunks"),
            1,
            "a.txt's batch stays"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn unreadable_file_is_an_error_when_permissions_apply() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("perm");
    let corpus = dir.join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let f = corpus.join("secret.txt");
    std::fs::write(&f, "no access").unwrap();
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&f).is_ok() {
        // Running as root: permission bits do not stop reading (the symlink test covers this).
        std::fs::remove_dir_all(&dir).unwrap();
        return;
    }
    let err = run(&corpus, &dir.join("v.db"), &Config::default()).unwrap_err();
    assert!(err.subject.ends_with("secret.txt"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn truncated_and_corrupt_archives_are_errors() {
    let tar = std::fs::read(testdata("corpus.tar")).unwrap();
    let dir = scratch("tar");
    // Cut inside the data of the third entry, inside a header, and flip a header byte.
    let mut cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "cut-data",
            tar[..512 * 5 + 100].to_vec(),
            "truncated archive",
        ),
        (
            "cut-header",
            tar[..512 * 2 + 100].to_vec(),
            "truncated archive",
        ),
    ];
    let mut flipped = tar.clone();
    flipped[10] ^= 0x20;
    cases.push(("checksum", flipped, "bad header checksum"));
    for (name, bytes, reason) in cases {
        let path = dir.join(format!("{name}.tar"));
        std::fs::write(&path, bytes).unwrap();
        let db = dir.join(format!("{name}.db"));
        let err = run(&path, &db, &Config::default()).unwrap_err();
        assert!(err.reason.contains(reason), "{name}: {err}");
        assert!(
            err.subject.starts_with(path.to_str().unwrap()),
            "{name}: {err}"
        );
        assert_consistent_partial(&db, 1000);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_full_disk_leaves_only_whole_batches() {
    let dir = scratch("full");
    let db = dir.join("v.db");
    let cfg = Config {
        chunk: Params::new(64, 16).unwrap(),
        batch: 7,
        max_pages: Some(40),
    };
    let err = run(&testdata("corpus"), &db, &cfg).unwrap_err();
    assert!(err.reason.contains("full"), "{err}");
    assert_eq!(err.subject, db.display().to_string());
    assert_consistent_partial(&db, 7);
    let conn = Connection::open(&db).unwrap();
    assert!(count(&conn, "SELECT count(*) FROM chunks") > 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_locked_database_is_an_error_after_the_busy_timeout() {
    let dir = scratch("locked");
    let db = dir.join("v.db");
    let other = Connection::open(&db).unwrap();
    other
        .execute_batch("CREATE TABLE other (x); BEGIN EXCLUSIVE; INSERT INTO other VALUES (1);")
        .unwrap();
    let t = Instant::now();
    let err = run(&testdata("corpus"), &db, &Config::default()).unwrap_err();
    assert!(err.reason.contains("locked"), "{err}");
    assert!(
        t.elapsed().as_millis() >= 900,
        "gave up before the busy timeout"
    );
    other.execute_batch("ROLLBACK").unwrap();
    let n: i64 = other
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'documents'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0, "nothing was written");
    drop(other);
    // Once the lock is gone the same database can be filled.
    run(&testdata("corpus"), &db, &Config::default()).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_database_is_filled_once_and_empty_corpora_are_fine() {
    let dir = scratch("twice");
    let db = dir.join("v.db");
    run(&testdata("corpus"), &db, &Config::default()).unwrap();
    let err = run(&testdata("corpus"), &db, &Config::default()).unwrap_err();
    assert!(err.reason.contains("already holds"), "{err}");
    let conn = Connection::open(&db).unwrap();
    assert_eq!(count(&conn, "SELECT count(*) FROM documents"), 10);
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let sum = run(&empty, &dir.join("e.db"), &Config::default()).unwrap();
    assert_eq!(
        sum.json(),
        r#"{"documents":0,"empty":0,"chunks":0,"bytes":0,"text_bytes":0,"replaced":0}"#
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn bin(args: &[&Path]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vector-ingester"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn command_line() {
    let dir = scratch("cli");
    let db = dir.join("v.db");
    let o = bin(&[&testdata("corpus.tar"), &db]);
    assert!(o.status.success());
    assert!(o.stderr.is_empty());
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        std::fs::read_to_string(testdata("expected-summary.txt")).unwrap()
    );
    let o = bin(&[&db]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("usage"));
    let missing = dir.join("missing");
    let o = bin(&[&missing, &dir.join("m.db")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let msg = String::from_utf8(o.stderr).unwrap();
    assert!(
        msg.starts_with(&format!("vector-ingester: {}: ", missing.display())),
        "{msg}"
    );
    assert!(!dir.join("m.db").exists(), "no database without a corpus");
    std::fs::remove_dir_all(&dir).unwrap();
}
