//! Reading an input file: only regular files (a FIFO would block forever, `/dev/zero` would be
//! read until memory runs out), no larger than [`MAX_FILE_BYTES`], and UTF-8 text, with the
//! position of the first bad byte when it is not. Every file lint reads goes through here: the
//! linted files, local includes and actions, the configuration, the baseline, team playbooks.

use std::io::Read;
use std::path::Path;

/// The largest file faultline reads (CI files are kilobytes; this leaves room for generated ones).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Why a file could not be read, positioned when the problem is at a place in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl ReadError {
    fn whole(message: String) -> Self {
        ReadError {
            line: None,
            column: None,
            message,
        }
    }
}

/// The text of the regular file at `path` (symlinks followed).
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    text(read_bytes(path, MAX_FILE_BYTES)?)
}

/// The bytes of the regular file at `path` (symlinks followed), at most `limit` of them.
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path).map_err(|e| ReadError::whole(describe(&e)))?;
    if meta.is_dir() {
        return Err(ReadError::whole("is a folder, not a file".into()));
    }
    if !meta.is_file() {
        return Err(ReadError::whole(
            "is not a regular file (a pipe, socket or device): faultline reads only regular files"
                .into(),
        ));
    }
    if meta.len() > limit {
        return Err(too_large(limit));
    }
    let file = std::fs::File::open(path).map_err(|e| ReadError::whole(describe(&e)))?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The file may grow between the check and the read: never read past the limit.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::whole(describe(&e)))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

/// `bytes` as UTF-8 text, or the line and column of the first byte that is not UTF-8.
pub fn text(bytes: Vec<u8>) -> Result<String, ReadError> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let good = std::str::from_utf8(&bytes[..valid]).unwrap_or("");
        let line_start = good.rfind('\n').map_or(0, |i| i + 1);
        ReadError {
            line: Some(good.matches('\n').count() + 1),
            column: Some(good[line_start..].chars().count() + 1),
            message: format!(
                "not valid UTF-8 text (byte 0x{:02X}); faultline reads UTF-8",
                bytes[valid]
            ),
        }
    })
}

fn too_large(limit: u64) -> ReadError {
    ReadError::whole(format!(
        "larger than {} MiB, faultline's limit for one file",
        limit / (1024 * 1024)
    ))
}

/// An I/O error in words (the OS's text for the rest).
pub fn describe(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "is a folder, not a file".into(),
        _ if e.raw_os_error() == Some(40) => {
            "too many levels of symbolic links (a symlink loop?)".into()
        }
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_positioned_at_the_first_bad_byte() {
        let err = text(b"a: 1\nb: \xc3\xa9\xff x\n".to_vec()).expect_err("invalid");
        assert_eq!((err.line, err.column), (Some(2), Some(5)));
        assert_eq!(
            err.message,
            "not valid UTF-8 text (byte 0xFF); faultline reads UTF-8"
        );
        assert_eq!(text(b"ok\n".to_vec()).as_deref(), Ok("ok\n"));
    }

    #[test]
    fn only_regular_files_are_read() {
        let dir = std::env::temp_dir().join(format!("faultline-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        assert_eq!(
            read_text(&dir).expect_err("folder").message,
            "is a folder, not a file"
        );
        assert!(read_text(Path::new("/dev/zero"))
            .expect_err("device")
            .message
            .starts_with("is not a regular file"));
        let f = dir.join("big");
        let file = std::fs::File::create(&f).expect("create");
        file.set_len(MAX_FILE_BYTES + 1).expect("sparse file");
        assert_eq!(
            read_text(&f).expect_err("too large").message,
            "larger than 16 MiB, faultline's limit for one file"
        );
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
