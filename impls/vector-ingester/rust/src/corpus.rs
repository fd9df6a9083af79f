//! The documents of a corpus, in the spec's order: a directory (sorted relative paths) or a
//! ustar archive (archive order). Each document is handed out as a reader over its bytes; nothing
//! is read ahead.

use crate::Error;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// One document being visited.
pub struct Document<'a> {
    /// Its path in the corpus (`en/a.md`), as stored in the database.
    pub path: &'a str,
    /// How errors name it: its file-system path, or `archive: entry`.
    pub subject: &'a str,
    /// Its bytes.
    pub reader: &'a mut dyn Read,
}

/// An opened corpus.
pub enum Corpus {
    Dir { root: PathBuf, paths: Vec<String> },
    Tar { path: PathBuf, file: File },
}

impl Corpus {
    /// Decides the kind (following a symlink) and lists a directory corpus.
    pub fn open(path: &Path) -> Result<Corpus, Error> {
        let subject = path.display().to_string();
        let meta = fs::metadata(path).map_err(|e| Error::new(&subject, e))?;
        if meta.is_dir() {
            let mut paths = Vec::new();
            list(path, "", &mut paths)?;
            paths.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            Ok(Corpus::Dir {
                root: path.to_path_buf(),
                paths,
            })
        } else {
            let file = File::open(path).map_err(|e| Error::new(&subject, e))?;
            Ok(Corpus::Tar {
                path: path.to_path_buf(),
                file,
            })
        }
    }

    /// Calls `f` for every document, in order, stopping at the first error.
    pub fn for_each(
        &mut self,
        mut f: impl FnMut(Document<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        match self {
            Corpus::Dir { root, paths } => {
                for rel in paths.iter() {
                    let full = root.join(rel);
                    let subject = full.display().to_string();
                    let mut file = File::open(&full).map_err(|e| Error::new(&subject, e))?;
                    f(Document {
                        path: rel,
                        subject: &subject,
                        reader: &mut file,
                    })?;
                }
                Ok(())
            }
            Corpus::Tar { path, file } => {
                let archive = path.display().to_string();
                read_tar(file, &archive, f)
            }
        }
    }
}

/// Appends the relative paths of the documents below `dir` (unsorted).
fn list(dir: &Path, prefix: &str, out: &mut Vec<String>) -> Result<(), Error> {
    let subject = || dir.display().to_string();
    for entry in fs::read_dir(dir).map_err(|e| Error::new(subject(), e))? {
        let entry = entry.map_err(|e| Error::new(subject(), e))?;
        let name = entry.file_name().into_string().map_err(|name| {
            Error::new(
                dir.join(&name).display().to_string(),
                "file name is not valid UTF-8",
            )
        })?;
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let kind = entry
            .file_type()
            .map_err(|e| Error::new(entry.path().display().to_string(), e))?;
        if kind.is_dir() {
            list(&entry.path(), &rel, out)?;
        } else if kind.is_file() || kind.is_symlink() {
            out.push(rel);
        }
    }
    Ok(())
}

/// A reader of exactly `left` bytes that reports a truncated archive if the file ends early.
struct EntryReader<'a> {
    file: &'a mut File,
    left: u64,
}

impl Read for EntryReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = buf.len().min(self.left.min(usize::MAX as u64) as usize);
        let n = self.file.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "truncated archive",
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Reads one 512-byte block: `Ok(false)` at a clean end of file.
fn read_block(file: &mut File, block: &mut [u8; 512], archive: &str) -> Result<bool, Error> {
    let mut got = 0;
    while got < 512 {
        match file.read(&mut block[got..]) {
            Ok(0) if got == 0 => return Ok(false),
            Ok(0) => return Err(Error::new(archive, "truncated archive")),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::new(archive, e)),
        }
    }
    Ok(true)
}

/// Parses an octal field: optional leading spaces, octal digits, then NUL or space padding.
fn octal(field: &[u8]) -> Option<u64> {
    let mut i = 0;
    while i < field.len() && field[i] == b' ' {
        i += 1;
    }
    let mut v: u64 = 0;
    let mut digits = 0;
    while i < field.len() && (b'0'..=b'7').contains(&field[i]) {
        v = v.checked_mul(8)?.checked_add(u64::from(field[i] - b'0'))?;
        digits += 1;
        i += 1;
    }
    if digits == 0 || !field[i..].iter().all(|&b| b == 0 || b == b' ') {
        return None;
    }
    Some(v)
}

fn cstr(field: &[u8]) -> &[u8] {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    &field[..end]
}

fn read_tar(
    file: &mut File,
    archive: &str,
    mut f: impl FnMut(Document<'_>) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut block = [0u8; 512];
    loop {
        if !read_block(file, &mut block, archive)? || block.iter().all(|&b| b == 0) {
            return Ok(());
        }
        let stored = octal(&block[148..156]);
        let sum: u64 = block
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    u64::from(b)
                }
            })
            .sum();
        if stored != Some(sum) {
            return Err(Error::new(archive, "bad header checksum"));
        }
        let size = octal(&block[124..136])
            .ok_or_else(|| Error::new(archive, "bad size field in header"))?;
        let mut name = cstr(&block[..100]).to_vec();
        if &block[257..263] == b"ustar\0" {
            let prefix = cstr(&block[345..500]);
            if !prefix.is_empty() {
                let mut full = prefix.to_vec();
                full.push(b'/');
                full.extend_from_slice(&name);
                name = full;
            }
        }
        let name = String::from_utf8(name)
            .map_err(|_| Error::new(archive, "entry name is not valid UTF-8"))?;
        let subject = format!("{archive}: {name}");
        let mut entry = EntryReader {
            file: &mut *file,
            left: size,
        };
        if matches!(block[156], b'0' | 0 | b'7') {
            f(Document {
                path: &name,
                subject: &subject,
                reader: &mut entry,
            })?;
        }
        // Skip what the document did not read (nothing, normally) and the padding.
        let pad = (512 - size % 512) % 512;
        let mut skip = EntryReader {
            left: entry.left + pad,
            file: &mut *file,
        };
        let mut rest = [0u8; 512];
        loop {
            match skip.read(&mut rest) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => return Err(Error::new(&subject, e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octal_fields() {
        assert_eq!(octal(b"00000002322\0"), Some(1234));
        assert_eq!(octal(b"   17 \0\0"), Some(15));
        assert_eq!(octal(b"0000000\0"), Some(0));
        assert_eq!(octal(b"\0\0\0"), None);
        assert_eq!(octal(b"12x4\0"), None);
        assert_eq!(octal(b"\x80\0\0\0\0\0\0\0\0\0\0\x01"), None);
    }
}
