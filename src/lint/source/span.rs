//! Byte offsets and where they are for people. Every span in faultline is a byte range into the
//! original file; this module turns a byte offset into a 1-based line and column, and turns
//! saphyr's character-counted markers into bytes (saphyr counts characters, miette wants bytes).

use std::ops::Range;

/// Byte span into a file.
pub type Span = Range<usize>;

/// Line starts of one file, for offset → (line, column) look-ups in O(log n) plus at most
/// [`CHUNK`] bytes of counting: a line of 100,000 commands gets its columns in linear total time.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// For non-ASCII text: characters before each multiple of [`CHUNK`] bytes (empty for ASCII,
    /// where a column is a byte count).
    chars_at_chunk: Vec<usize>,
}

const CHUNK: usize = 1024;

/// Characters starting in `bytes` (UTF-8 continuation bytes are not starts).
fn char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| (**b as i8) >= -0x40).count()
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        let mut chars_at_chunk = Vec::new();
        if !text.is_ascii() {
            let mut n = 0;
            for chunk in text.as_bytes().chunks(CHUNK) {
                chars_at_chunk.push(n);
                n += char_starts(chunk);
            }
        }
        LineIndex {
            starts,
            chars_at_chunk,
        }
    }

    /// Characters in `text[..offset]`.
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        if self.chars_at_chunk.is_empty() {
            return offset;
        }
        // `offset` may be the text's end, which starts no chunk when the length is a multiple of
        // CHUNK: count from the last chunk then.
        let chunk = (offset / CHUNK).min(self.chars_at_chunk.len() - 1);
        let base = self.chars_at_chunk[chunk];
        base + char_starts(&text.as_bytes()[chunk * CHUNK..offset])
    }

    /// 0-based line containing byte `offset`.
    pub fn line0(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Byte offset where 0-based `line` starts.
    pub fn line_start(&self, line0: usize) -> usize {
        self.starts.get(line0).copied().unwrap_or(usize::MAX)
    }

    /// 1-based line and 1-based column in characters (Unicode scalar values) of byte `offset`.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line0 = self.line0(offset);
        let start = self.starts[line0];
        let col = self.chars_before(text, offset) - self.chars_before(text, start);
        (line0 + 1, col + 1)
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

/// Character index → byte offset for one text (saphyr markers count characters).
#[derive(Debug, Clone)]
pub struct CharToByte {
    /// For ASCII-only text this is empty and the mapping is the identity.
    table: Vec<usize>,
    len: usize,
}

impl CharToByte {
    pub fn new(text: &str) -> Self {
        if text.is_ascii() {
            return CharToByte {
                table: Vec::new(),
                len: text.len(),
            };
        }
        let mut table: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        table.push(text.len());
        CharToByte {
            table,
            len: text.len(),
        }
    }

    pub fn byte(&self, char_index: usize) -> usize {
        if self.table.is_empty() {
            char_index.min(self.len)
        } else {
            self.table.get(char_index).copied().unwrap_or(self.len)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by `scripts/fuzz.sh` (workflow target): a non-ASCII text whose length is a multiple
    /// of the chunk size, with a position at its very end (a YAML error at end of input), counted
    /// its characters from 0 and underflowed.
    #[test]
    fn line_col_at_the_end_of_a_text_of_whole_chunks() {
        let text = format!("é: x\n{}", "a".repeat(CHUNK - 6));
        assert_eq!(text.len(), CHUNK);
        let idx = LineIndex::new(&text);
        assert_eq!(idx.line_col(&text, text.len()), (2, CHUNK - 6 + 1));
        let two = format!("{text}{}", "b".repeat(CHUNK));
        let idx = LineIndex::new(&two);
        assert_eq!(idx.line_col(&two, two.len()), (2, 2 * CHUNK - 6 + 1));
    }

    #[test]
    fn line_col_counts_characters_after_non_ascii() {
        let text = "a: é\nrun: pip install x\n";
        let idx = LineIndex::new(text);
        let off = text.find("pip").expect("pip");
        assert_eq!(idx.line_col(text, off), (2, 6));
        assert_eq!(idx.line_col(text, text.find('é').expect("é") + 2), (1, 5));
    }

    #[test]
    fn char_to_byte_handles_multibyte() {
        let text = "é: ü\nx";
        let map = CharToByte::new(text);
        assert_eq!(map.byte(0), 0);
        assert_eq!(map.byte(1), 2);
        assert_eq!(map.byte(5), 7);
        assert_eq!(map.byte(99), text.len());
    }

    #[test]
    fn line_col_agrees_with_counting_from_the_line_start() {
        let text = format!("é\n{}ü{}\n", "aé".repeat(700), "x".repeat(3000));
        let idx = LineIndex::new(&text);
        for (offset, _) in text.char_indices() {
            let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let line = text[..offset].matches('\n').count() + 1;
            let col = text[start..offset].chars().count() + 1;
            assert_eq!(idx.line_col(&text, offset), (line, col), "at {offset}");
        }
    }
}
