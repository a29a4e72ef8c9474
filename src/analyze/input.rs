//! Opening a log the way people have it: a plain file or stdin, a `.gz` log (streamed), or
//! GitHub's "Download log archive" `.zip` (the failed job's log is analysed, and the job and step
//! named). Anything else that is not text gets a clear error instead of a meaningless analysis:
//! other binary files (images, executables, archives), UTF-16 text, and paths that are not
//! regular files (a FIFO, a device such as `/dev/zero`, also through a symlink).
//!
//! Every reader here streams: memory stays bounded whatever the size of the input.

use std::fs::File;
use std::io::{self, BufReader, Cursor, Read, Seek};
use std::path::Path;

use flate2::read::MultiGzDecoder;
use memchr::memmem;

/// Bytes looked at to tell text from binary.
const SNIFF: usize = 8 << 10;
/// Archive entries looked at (a log archive has a few per job and step).
const MAX_ENTRIES: usize = 10_000;

/// Where in a log archive the analysed log came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveOrigin {
    /// The file inside the archive that was analysed (line numbers refer to it).
    pub file: String,
    /// The failed job (the archive's folder, or the top-level file's name without `N_`).
    pub job: String,
    /// The failed step (the step file holding `##[error]`, without `N_` and `.txt`), if known.
    pub step: Option<String>,
    /// Every job that failed, in archive order (the analysed one first).
    pub failed_jobs: Vec<String>,
}

/// An opened log: text to scan, and where it came from.
pub struct LogInput {
    pub reader: Box<dyn Read>,
    pub archive: Option<ArchiveOrigin>,
}

impl std::fmt::Debug for LogInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogInput")
            .field("archive", &self.archive)
            .finish_non_exhaustive()
    }
}

/// What the first bytes say the input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Gzip,
    Zip,
    /// Binary, with what it looks like.
    Binary(&'static str),
}

fn sniff(head: &[u8]) -> Kind {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "PNG image"),
        (b"\xff\xd8\xff", "JPEG image"),
        (b"GIF87a", "GIF image"),
        (b"GIF89a", "GIF image"),
        (b"\x7fELF", "ELF executable"),
        (b"MZ", "Windows executable"),
        (b"\xcf\xfa\xed\xfe", "Mach-O executable"),
        (b"\xce\xfa\xed\xfe", "Mach-O executable"),
        (b"\xca\xfe\xba\xbe", "Mach-O universal binary or Java class"),
        (b"\0asm", "WebAssembly module"),
        (b"%PDF-", "PDF document"),
        (b"BZh", "bzip2 archive"),
        (b"\xfd7zXZ\0", "xz archive"),
        (b"\x28\xb5\x2f\xfd", "zstd archive"),
        (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
        (b"Rar!\x1a\x07", "RAR archive"),
        (b"SQLite format 3\0", "SQLite database"),
        (
            b"\xff\xfe",
            "UTF-16 text; convert it to UTF-8 first (iconv -f UTF-16 -t UTF-8)",
        ),
        (
            b"\xfe\xff",
            "UTF-16 text; convert it to UTF-8 first (iconv -f UTF-16 -t UTF-8)",
        ),
    ];
    if head.starts_with(b"\x1f\x8b") {
        return Kind::Gzip;
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Kind::Zip;
    }
    for (magic, what) in MAGIC {
        // `MZ` alone is too short to trust: require the PE layout's NUL bytes too.
        if head.starts_with(magic) && (*magic != b"MZ" || head.iter().take(64).any(|&b| b == 0)) {
            return Kind::Binary(what);
        }
    }
    if head.len() > 262 && &head[257..262] == b"ustar" {
        return Kind::Binary("tar archive");
    }
    // Text logs may hold the odd NUL or control byte; binary data is full of them.
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x1b | 0x08 | 0x0c))
        .count();
    if !head.is_empty() && control * 10 > head.len() {
        return Kind::Binary("control bytes; not text");
    }
    Kind::Text
}

/// The first `SNIFF` bytes of `reader`, and a reader that yields them again followed by the rest.
fn peek(mut reader: Box<dyn Read>) -> io::Result<(Vec<u8>, Box<dyn Read>)> {
    let mut head = Vec::with_capacity(SNIFF);
    (&mut reader).take(SNIFF as u64).read_to_end(&mut head)?;
    let again = Cursor::new(head.clone()).chain(reader);
    Ok((head, Box::new(again)))
}

fn binary(what: &str) -> String {
    if what.starts_with("UTF-16") {
        format!("not UTF-8 text (detected {what})")
    } else {
        format!("binary file, not a log (detected {what})")
    }
}

/// Open stdin: text, or gzip-compressed text. Errors are plain messages (no path).
pub fn open_stdin() -> Result<LogInput, String> {
    open_stream(Box::new(io::stdin()), false)
}

/// A text or gzip stream; `in_gzip` when this is already the decompressed content.
fn open_stream(reader: Box<dyn Read>, in_gzip: bool) -> Result<LogInput, String> {
    let (head, reader) = peek(reader).map_err(|e| super::io_message(&e))?;
    match sniff(&head) {
        Kind::Text => Ok(LogInput {
            reader,
            archive: None,
        }),
        Kind::Gzip if !in_gzip => open_stream(Box::new(MultiGzDecoder::new(reader)), true),
        Kind::Gzip => Err(binary("gzip inside gzip")),
        Kind::Zip if in_gzip => Err(binary("zip archive inside gzip")),
        Kind::Zip => Err(
            "zip archive on standard input: pass the archive's path instead (a zip is read from its end)"
                .to_string(),
        ),
        Kind::Binary(what) if in_gzip => Err(binary(&format!("{what}, inside gzip"))),
        Kind::Binary(what) => Err(binary(what)),
    }
}

/// Open a log file. Errors are plain messages (the caller adds the path).
pub fn open_path(path: &Path) -> Result<LogInput, String> {
    // Follows symlinks: a symlink to a log is fine, one to `/dev/zero` is not.
    let meta = std::fs::metadata(path).map_err(|e| super::io_message(&e))?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let mut file = File::open(path).map_err(|e| super::io_message(&e))?;
    let mut head = Vec::with_capacity(SNIFF);
    (&mut file)
        .take(SNIFF as u64)
        .read_to_end(&mut head)
        .map_err(|e| super::io_message(&e))?;
    if sniff(&head) == Kind::Zip {
        return open_zip(path, file);
    }
    file.rewind().map_err(|e| super::io_message(&e))?;
    open_stream(Box::new(BufReader::with_capacity(64 << 10, file)), false)
}

fn not_regular(meta: &std::fs::Metadata) -> String {
    let ft = meta.file_type();
    let what = if ft.is_dir() {
        "is a directory, not a log file"
    } else {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if ft.is_fifo() {
                "is a FIFO (named pipe), not a regular file: pipe it to `faultline analyze -` instead"
            } else if ft.is_char_device() || ft.is_block_device() {
                "is a device, not a log file"
            } else if ft.is_socket() {
                "is a socket, not a log file"
            } else {
                "is not a regular file"
            }
        }
        #[cfg(not(unix))]
        {
            "is not a regular file"
        }
    };
    what.to_string()
}

/// One entry of a GitHub log archive.
#[derive(Debug, Clone)]
struct ArchiveEntry {
    index: usize,
    name: String,
    /// `build` for `build/3_Run tests.txt`; `None` for a top-level file.
    folder: Option<String>,
    /// `3` and `Run tests` for `3_Run tests.txt`.
    order: u64,
    title: String,
    has_error: bool,
}

/// `3_Run tests.txt` -> (3, "Run tests").
fn split_order(file: &str) -> (u64, String) {
    let stem = file.strip_suffix(".txt").unwrap_or(file);
    match stem.split_once('_') {
        Some((n, rest)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            (n.parse().unwrap_or(u64::MAX), rest.to_string())
        }
        _ => (u64::MAX, stem.to_string()),
    }
}

/// Whether `reader` holds `##[error]` (streamed; bounded memory).
fn holds_error<R: Read>(mut reader: R) -> io::Result<bool> {
    const NEEDLE: &[u8] = b"##[error]";
    let finder = memmem::Finder::new(NEEDLE);
    let mut buf = vec![0u8; 64 << 10];
    let mut kept = 0;
    loop {
        let n = reader.read(&mut buf[kept..])?;
        if n == 0 {
            return Ok(false);
        }
        let filled = kept + n;
        if finder.find(&buf[..filled]).is_some() {
            return Ok(true);
        }
        // Keep the tail that could start a match across reads.
        kept = (NEEDLE.len() - 1).min(filled);
        buf.copy_within(filled - kept..filled, 0);
    }
}

fn open_zip(path: &Path, file: File) -> Result<LogInput, String> {
    let bad = |e: zip::result::ZipError| format!("not a readable zip archive ({e})");
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(bad)?;
    let mut entries = Vec::new();
    for index in 0..archive.len().min(MAX_ENTRIES) {
        let mut entry = archive.by_index(index).map_err(bad)?;
        if !entry.is_file() {
            continue;
        }
        let name = entry.name().to_string();
        let (folder, file_name) = match name.rsplit_once('/') {
            Some((dir, f)) => (Some(dir.to_string()), f.to_string()),
            None => (None, name.clone()),
        };
        if !file_name.ends_with(".txt") {
            continue;
        }
        let (order, title) = split_order(&file_name);
        let has_error = holds_error(&mut entry).map_err(|e| format!("{name}: {e}"))?;
        entries.push(ArchiveEntry {
            index,
            name,
            folder,
            order,
            title,
            has_error,
        });
    }
    if entries.is_empty() {
        return Err(
            "zip archive without .txt logs (expected GitHub's log archive: `0_build.txt`, `build/3_Run tests.txt`)"
                .to_string(),
        );
    }
    entries.sort_by(|a, b| (&a.folder, a.order, &a.name).cmp(&(&b.folder, b.order, &b.name)));

    // Failed jobs: folders with a step file holding `##[error]`; without folders, top-level job
    // logs holding it.
    let mut failed: Vec<(String, Option<String>)> = Vec::new(); // (job, failing step)
    for e in entries.iter().filter(|e| e.folder.is_some() && e.has_error) {
        let job = e.folder.clone().unwrap_or_default();
        if !failed.iter().any(|(j, _)| *j == job) {
            failed.push((job, Some(e.title.clone())));
        }
    }
    let top: Vec<&ArchiveEntry> = entries.iter().filter(|e| e.folder.is_none()).collect();
    if failed.is_empty() {
        for e in top.iter().filter(|e| e.has_error) {
            failed.push((e.title.clone(), None));
        }
    }
    // Order failed jobs as the top-level job logs are ordered, when there are any.
    let job_rank = |job: &str| {
        top.iter()
            .find(|t| t.title == job)
            .map_or(u64::MAX, |t| t.order)
    };
    failed.sort_by_key(|(job, _)| job_rank(job));
    let Some((job, step)) = failed.first().cloned() else {
        return Err(
            "zip archive with no failed job: no log in it holds `##[error]` (did the run pass?)"
                .to_string(),
        );
    };
    let failed_jobs: Vec<String> = failed.iter().map(|(j, _)| j.clone()).collect();

    // The job's whole log when the archive has it; else its step files, in order.
    let job_log = top.iter().find(|t| t.title == job);
    let (reader, file): (Box<dyn Read>, String) = match job_log {
        Some(t) => (entry_reader(path, &mut archive, t.index)?, t.name.clone()),
        None => {
            let mut reader: Box<dyn Read> = Box::new(io::empty());
            for e in entries
                .iter()
                .filter(|e| e.folder.as_deref() == Some(job.as_str()))
            {
                // A step file may not end in a newline: keep its last line apart from the next.
                reader = Box::new(reader.chain(EndsLine {
                    inner: entry_reader(path, &mut archive, e.index)?,
                    last: b'\n',
                    done: false,
                }));
            }
            (reader, format!("{job}/"))
        }
    };
    // The log inside may itself be gzip'd or not text.
    let inner = open_stream(reader, false)?;
    Ok(LogInput {
        reader: inner.reader,
        archive: Some(ArchiveOrigin {
            file,
            job,
            step,
            failed_jobs,
        }),
    })
}

/// `inner`, plus a final `\n` when it does not end with one.
struct EndsLine {
    inner: Box<dyn Read>,
    last: u8,
    done: bool,
}

impl Read for EndsLine {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.last = buf[n - 1];
            return Ok(n);
        }
        self.done = true;
        if self.last == b'\n' {
            return Ok(0);
        }
        buf[0] = b'\n';
        Ok(1)
    }
}

/// A reader of one archive entry that owns its file handle (a second handle on the archive,
/// positioned at the entry's data), so the entry streams into the scan.
fn entry_reader(
    path: &Path,
    archive: &mut zip::ZipArchive<BufReader<File>>,
    index: usize,
) -> Result<Box<dyn Read>, String> {
    let entry = archive
        .by_index(index)
        .map_err(|e| format!("not a readable zip archive ({e})"))?;
    let name = entry.name().to_string();
    if entry.encrypted() {
        return Err(format!("{name}: encrypted entry in the zip archive"));
    }
    let (Some(start), size, method) = (
        entry.data_start(),
        entry.compressed_size(),
        entry.compression(),
    ) else {
        return Err(format!("{name}: zip entry without a data offset"));
    };
    drop(entry);
    let mut file = File::open(path).map_err(|e| super::io_message(&e))?;
    file.seek(io::SeekFrom::Start(start))
        .map_err(|e| super::io_message(&e))?;
    let raw = BufReader::with_capacity(64 << 10, file).take(size);
    match method {
        zip::CompressionMethod::Stored => Ok(Box::new(raw)),
        zip::CompressionMethod::Deflated => Ok(Box::new(flate2::read::DeflateDecoder::new(raw))),
        other => Err(format!(
            "{name}: zip compression method {other:?} is not supported (GitHub's archives use deflate)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_text_compressed_and_binary() {
        assert_eq!(sniff(b"2024-05-01T12:00:00Z ##[group]Run x\n"), Kind::Text);
        assert_eq!(sniff(b""), Kind::Text);
        assert_eq!(sniff(b"\x1f\x8b\x08\0"), Kind::Gzip);
        assert_eq!(sniff(b"PK\x03\x04rest"), Kind::Zip);
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Kind::Binary("PNG image")
        );
        assert_eq!(
            sniff(b"\x7fELF\x02\x01\x01\0"),
            Kind::Binary("ELF executable")
        );
        // `MZ` starting a text line is text.
        assert_eq!(sniff(b"MZ build finished\n"), Kind::Text);
        assert_eq!(
            sniff(&[0u8, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
            Kind::Binary("control bytes; not text")
        );
        // One stray NUL in a text log is still text.
        let mut log = b"line one\n".repeat(100);
        log.push(0);
        assert_eq!(sniff(&log), Kind::Text);
    }

    #[test]
    fn step_file_names_split() {
        assert_eq!(split_order("3_Run tests.txt"), (3, "Run tests".to_string()));
        assert_eq!(split_order("0_build.txt"), (0, "build".to_string()));
        assert_eq!(split_order("notes.txt"), (u64::MAX, "notes".to_string()));
    }

    #[test]
    fn error_marker_found_across_reads() {
        // A reader returning one byte at a time splits the marker across reads.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0.is_empty() || buf.is_empty() {
                    return Ok(0);
                }
                buf[0] = self.0[0];
                self.0 = &self.0[1..];
                Ok(1)
            }
        }
        assert!(holds_error(Trickle(b"ok\n##[error]Process completed")).expect("read"));
        assert!(!holds_error(Trickle(b"ok\n##[warning]x")).expect("read"));
    }
}
