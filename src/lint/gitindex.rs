//! The files a git repository tracks, read from its index (`.git/index`) instead of walking the
//! working tree: one sequential read, under a millisecond for thousands of files, where a walk
//! costs a system call per folder. The index is also the better answer to "will the CI checkout
//! hold this file?": it lists what the next commit holds, not the untracked files beside it.
//!
//! Only what this reader understands is trusted. A split index (`link` extension), a sparse index
//! (`sdir`, or folder entries), submodules (gitlinks: their files are not in this index), a
//! SHA-256 repository and anything malformed give `None`, and the caller walks the tree instead.
//! Format: <https://git-scm.com/docs/index-format>.

use std::path::{Path, PathBuf};

/// The largest index read (a repository of 100,000 files has an index of about 10 MiB).
const MAX_INDEX_BYTES: u64 = 64 * 1024 * 1024;

/// The index's files, in index order, each path relative to the root with `/`.
#[derive(Debug, PartialEq, Eq)]
pub struct Tracked {
    /// Every path followed by `\n`, after a first `\n`: "is there a file named X?" is one
    /// search of this text for `/X\n` or `\nX\n`, with no allocation per file.
    pub paths: String,
    pub count: usize,
    /// More entries than `max`: `paths` holds the first `max`.
    pub truncated: bool,
}

impl Tracked {
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.paths.split_terminator('\n').skip(1)
    }
}

/// The tracked files of the checkout at `root`, or `None` when there is no index this reader can
/// trust (see the module's documentation).
pub fn tracked(root: &Path, max: usize) -> Option<Tracked> {
    let bytes = super::read::read_bytes(&git_dir(root)?.join("index"), MAX_INDEX_BYTES).ok()?;
    parse(&bytes, max)
}

/// `root/.git`, or where a `.git` file (a worktree, a submodule) points with `gitdir: PATH`.
fn git_dir(root: &Path) -> Option<PathBuf> {
    let dot_git = root.join(".git");
    let meta = std::fs::metadata(&dot_git).ok()?;
    if meta.is_dir() {
        return Some(dot_git);
    }
    let bytes = super::read::read_bytes(&dot_git, 4096).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let target = text.lines().next()?.strip_prefix("gitdir:")?.trim();
    Some(root.join(target)) // an absolute target replaces the root
}

const SHA1_BYTES: usize = 20;
/// ctime, mtime (8 bytes each), dev, ino, mode, uid, gid, size (4 each), the object name, flags.
const ENTRY_HEADER: usize = 40 + SHA1_BYTES + 2;
const MODE_GITLINK: u32 = 0o160_000;
const MODE_DIRECTORY: u32 = 0o040_000;
const FLAG_EXTENDED: u16 = 0x4000;
const NAME_MASK: u16 = 0x0FFF;

/// The entries of an index file; `None` for anything it does not understand.
pub fn parse(bytes: &[u8], max: usize) -> Option<Tracked> {
    let mut r = Reader { bytes, pos: 0 };
    if r.take(4)? != b"DIRC" {
        return None;
    }
    let version = r.u32()?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = usize::try_from(r.u32()?).ok()?;
    let mut out = Tracked {
        paths: String::from("\n"),
        count: 0,
        truncated: count > max,
    };
    let mut previous: Vec<u8> = Vec::new();
    let mut last: std::ops::Range<usize> = 0..0;
    for _ in 0..count {
        let start = r.pos;
        let header = r.take(ENTRY_HEADER)?;
        let mode = u32::from_be_bytes(header[24..28].try_into().ok()?);
        let flags = u16::from_be_bytes(header[60..62].try_into().ok()?);
        if flags & FLAG_EXTENDED != 0 {
            if version < 3 {
                return None;
            }
            r.take(2)?; // intent-to-add, skip-worktree: the file is tracked either way
        }
        if mode & 0o170_000 == MODE_GITLINK || mode & 0o170_000 == MODE_DIRECTORY {
            return None; // a submodule or a sparse folder: its files are not listed here
        }
        let path: &[u8] = if version == 4 {
            let strip = r.varint()?;
            let keep = previous.len().checked_sub(strip)?;
            let suffix = r.until_nul()?;
            previous.truncate(keep);
            previous.extend_from_slice(suffix);
            &previous
        } else {
            let name = r.until_nul()?;
            // Entries are padded with NULs to a multiple of 8 bytes (one NUL at least, read above).
            let len = r.pos - 1 - start;
            let padded = (len + 8) & !7;
            r.take(padded - len - 1)?;
            name
        };
        let written = usize::from(flags & NAME_MASK);
        if written < usize::from(NAME_MASK) && written != path.len() {
            return None; // not the layout read here (a SHA-256 repository, or damage)
        }
        if path.is_empty() || out.count >= max {
            continue;
        }
        let path = String::from_utf8_lossy(path);
        // Conflicted files have one entry per stage, one after the other.
        if out.paths[last.clone()] != *path {
            let at = out.paths.len();
            out.paths.push_str(&path);
            last = at..out.paths.len();
            out.paths.push('\n');
            out.count += 1;
        }
    }
    // Extensions, then the checksum: a split or sparse index lists only part of the tree.
    while r.bytes.len().saturating_sub(r.pos) > SHA1_BYTES {
        let signature = r.take(4)?;
        if signature == b"link" || signature == b"sdir" {
            return None;
        }
        let size = usize::try_from(r.u32()?).ok()?;
        r.take(size)?;
    }
    Some(out)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let out = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(out)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }

    /// The bytes up to the next NUL, which is consumed.
    fn until_nul(&mut self) -> Option<&'a [u8]> {
        let rest = self.bytes.get(self.pos..)?;
        let len = rest.iter().position(|&b| b == 0)?;
        self.pos += len + 1;
        Some(&rest[..len])
    }

    /// git's offset varint (`decode_varint`): big-endian groups of 7 bits, each continuation
    /// adding one so that every value has one encoding.
    fn varint(&mut self) -> Option<usize> {
        let mut byte = *self.take(1)?.first()?;
        let mut value = usize::from(byte & 0x7f);
        let mut groups = 1;
        while byte & 0x80 != 0 {
            groups += 1;
            if groups > 9 {
                return None;
            }
            byte = *self.take(1)?.first()?;
            value = ((value + 1) << 7) | usize::from(byte & 0x7f);
        }
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(dir)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// A folder removed when dropped.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new() -> Scratch {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static N: AtomicUsize = AtomicUsize::new(0);
            let n = N.fetch_add(1, Ordering::Relaxed);
            let dir =
                std::env::temp_dir().join(format!("faultline-gitindex-{}-{n}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("mkdir");
            Scratch(dir)
        }

        fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// A repository with nested folders, a long name and a non-ASCII name.
    fn repository() -> Scratch {
        let dir = Scratch::new();
        let root = dir.path();
        git(root, &["init", "-q"]);
        for path in [
            "requirements.txt",
            "a/b/c/package-lock.json",
            "a/b/pyproject.toml",
            "docs/ünïcode name.md",
            &format!("deep/{}.txt", "x".repeat(200)),
            ".github/workflows/ci.yml",
        ] {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(&p, "x\n").expect("write");
        }
        git(root, &["add", "-A"]);
        dir
    }

    fn ls_files(root: &Path) -> Vec<String> {
        git(root, &["-c", "core.quotePath=false", "ls-files"])
            .lines()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn every_index_version_lists_what_git_ls_files_lists() {
        let dir = repository();
        let root = dir.path();
        let want = ls_files(root);
        assert_eq!(want.len(), 6);
        for version in ["2", "3", "4"] {
            git(root, &["update-index", "--index-version", version]);
            let got = tracked(root, 1000).expect("index read");
            assert_eq!(
                got.files().collect::<Vec<_>>(),
                want,
                "index version {version}"
            );
            assert_eq!(got.count, want.len());
            assert!(!got.truncated);
        }
        // An intent-to-add entry sets the extended flag (version 3).
        std::fs::write(root.join("new.txt"), "x\n").expect("write");
        git(root, &["add", "-N", "new.txt"]);
        let got = tracked(root, 1000).expect("index read");
        assert_eq!(got.files().collect::<Vec<_>>(), ls_files(root));
        assert!(got.files().any(|f| f == "new.txt"));
        // Untracked files are not in it.
        std::fs::write(root.join("untracked.txt"), "x\n").expect("write");
        let got = tracked(root, 1000).expect("index");
        assert!(!got.files().any(|f| f == "untracked.txt"));
    }

    #[test]
    fn past_the_bound_the_listing_says_it_is_partial() {
        let dir = repository();
        let got = tracked(dir.path(), 2).expect("index read");
        assert_eq!(got.files().count(), 2);
        assert!(got.truncated);
    }

    #[test]
    fn indexes_that_list_part_of_the_tree_are_not_trusted() {
        let dir = repository();
        let root = dir.path();
        git(root, &["update-index", "--split-index"]);
        assert_eq!(tracked(root, 1000), None, "split index");
        git(root, &["update-index", "--no-split-index"]);
        assert!(tracked(root, 1000).is_some());
        let sha = git(root, &["hash-object", "-w", "requirements.txt"]);
        let info = format!("160000,{},vendored", sha.trim());
        git(root, &["update-index", "--add", "--cacheinfo", &info]);
        assert_eq!(
            tracked(root, 1000),
            None,
            "a submodule's files are not listed"
        );
    }

    #[test]
    fn a_worktree_reads_the_index_its_git_file_points_at() {
        let dir = repository();
        let root = dir.path();
        git(root, &["commit", "-q", "-m", "x"]);
        let other = Scratch::new();
        let wt = other.path().join("wt");
        git(
            root,
            &["worktree", "add", "-q", wt.to_str().expect("utf-8")],
        );
        assert!(wt.join(".git").is_file());
        let got = tracked(&wt, 1000).expect("index");
        assert_eq!(got.files().collect::<Vec<_>>(), ls_files(root));
    }

    #[test]
    fn damaged_indexes_are_refused_without_panicking() {
        let dir = repository();
        let bytes = std::fs::read(dir.path().join(".git/index")).expect("index");
        assert!(parse(&bytes, 1000).is_some());
        for len in 0..bytes.len() - SHA1_BYTES {
            // Cut inside the entries or the extensions: refused (or, cut exactly between two
            // extensions, read as the entries it holds).
            if let Some(t) = parse(&bytes[..len], 1000) {
                assert_eq!(t.files().count(), 6, "cut at {len}");
            }
        }
        let mut flipped = bytes.clone();
        for i in 0..flipped.len() {
            flipped[i] ^= 0xff;
            let _ = parse(&flipped, 1000);
            flipped[i] ^= 0xff;
        }
        assert_eq!(
            parse(b"DIRC\0\0\0\x05\0\0\0\0", 10),
            None,
            "unknown version"
        );
    }
}
