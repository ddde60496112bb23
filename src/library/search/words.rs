//! Words as search compares them: lower case, Latin accents taken off (`Schröder` → `schroder`),
//! Arabic harakat and tatweel dropped and its letter variants made one (`أ إ آ ٱ` → `ا`,
//! `ى` → `ي`, `ة` → `ه`), Hebrew niqqud and cantillation dropped and final letters made
//! ordinary (`ם` → `מ`). The index and every query go through this one function, so a word
//! written with marks is found by a query typed without them, and the other way round.
//!
//! It runs over every byte of every brief at load, so ASCII (most of any brief) takes a
//! fast path and nothing is allocated per word.

/// Calls `each(start, end, word)` for every word of `text`: `start..end` is where it stands in
/// `text` (for snippets), `word` its folded form. `buffer` is reused between calls.
/// Words of one letter are skipped (the `s` of `Israel's`); digits are kept (`round 5`).
pub(crate) fn scan(text: &str, buffer: &mut Vec<u8>, mut each: impl FnMut(usize, usize, &str)) {
    let mut lower = String::new();
    scan_hashed(text, buffer, |start, end, _, word| match word {
        WordBytes::Ascii(_) => {
            lower.clear();
            word.push_to(&mut lower);
            each(start, end, &lower);
        }
        // Folding writes whole characters, so the bytes are always UTF-8.
        WordBytes::Folded(bytes) => {
            if let Ok(word) = std::str::from_utf8(bytes) {
                each(start, end, word);
            }
        }
    });
}

/// A word as `scan_hashed` found it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum WordBytes<'a> {
    /// Letters and digits of ASCII as they stand in the text: fold them by lower-casing.
    Ascii(&'a [u8]),
    /// The folded word.
    Folded(&'a [u8]),
}

impl<'a> WordBytes<'a> {
    /// The bytes, lower-cased (`Ascii`) or not yet.
    pub(crate) fn bytes(&self) -> &'a [u8] {
        match self {
            WordBytes::Ascii(bytes) | WordBytes::Folded(bytes) => bytes,
        }
    }

    /// Appends the folded word to `out`.
    pub(crate) fn push_to(&self, out: &mut String) {
        match self {
            WordBytes::Ascii(bytes) => {
                out.extend(bytes.iter().map(|b| char::from(b.to_ascii_lowercase())));
            }
            WordBytes::Folded(bytes) => {
                out.push_str(std::str::from_utf8(bytes).unwrap_or_default())
            }
        }
    }
}

/// A folded word's hash, the key of the index, eight bytes at a time.
#[inline]
pub(crate) fn hash(word: &str) -> u64 {
    hash_bytes(word.as_bytes(), 0)
}

/// The hash of `bytes` with `or` applied to every byte: `0x20` lower-cases ASCII letters and
/// leaves digits as they are, so an ASCII word is hashed where it stands, without a copy.
#[inline]
fn hash_bytes(bytes: &[u8], or: u64) -> u64 {
    hash_within(bytes, 0, bytes.len(), or)
}

/// The hash of `text[start..end]` as `hash_bytes` computes it. The last part of the word is
/// read as eight bytes from `text` when there are eight to read (masked to the word), so
/// that words of every length cost the same few instructions.
#[inline(always)]
fn hash_within(text: &[u8], start: usize, end: usize, or: u64) -> u64 {
    const K: u64 = 0x517C_C1B7_2722_0A95;
    let mut hash = 0x243F_6A88_85A3_08D3 ^ (end - start) as u64;
    let mut at = start;
    while at + 8 <= end {
        hash = (hash.rotate_left(5) ^ (eight(text, at) | or)).wrapping_mul(K);
        at += 8;
    }
    if at < end {
        let rest = end - at;
        let last = if at + 8 <= text.len() {
            eight(text, at)
        } else {
            let mut last = 0u64;
            for (i, b) in text[at..end].iter().enumerate() {
                last |= u64::from(*b) << (8 * i);
            }
            last
        };
        let mask = u64::MAX >> (8 * (8 - rest));
        hash = (hash.rotate_left(5) ^ ((last | or) & mask)).wrapping_mul(K);
    }
    (hash ^ (hash >> 31)).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (hash >> 29)
}

/// Eight bytes of `text` from `at` as one number (the caller checks they are there).
#[inline(always)]
fn eight(text: &[u8], at: usize) -> u64 {
    let mut bytes = [0; 8];
    if let Some(slice) = text.get(at..at + 8) {
        bytes.copy_from_slice(slice);
    }
    u64::from_le_bytes(bytes)
}

/// `or`-ed into ASCII letters and digits, eight at a time: letters lower-cased, digits as they are.
const LOWER: u64 = 0x2020_2020_2020_2020;

/// Whether an ASCII byte belongs to a word.
const IN_WORD: [bool; 128] = {
    let mut table = [false; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    table
};

/// For up to 64 bytes: a bit per byte for "ASCII letter or digit" and a bit per byte for
/// "not ASCII", computed eight bytes at a time.
#[inline]
fn classify(block: &[u8]) -> (u64, u64) {
    let (mut in_word, mut high) = (0u64, 0u64);
    let mut chunks = block.chunks_exact(8);
    let mut n = 0;
    for chunk in &mut chunks {
        // Exactly eight bytes: one load, no copy.
        let mut eight = [0u8; 8];
        eight.copy_from_slice(chunk);
        let (word_bits, high_bits) = classify8(u64::from_le_bytes(eight));
        in_word |= word_bits << (8 * n);
        high |= high_bits << (8 * n);
        n += 1;
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut eight = [0u8; 8];
        for (slot, b) in eight.iter_mut().zip(rest) {
            *slot = *b;
        }
        let (word_bits, high_bits) = classify8(u64::from_le_bytes(eight));
        in_word |= word_bits << (8 * n);
        high |= high_bits << (8 * n);
    }
    (in_word, high)
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Eight bytes at once (bytes in a word as one u64): which are ASCII letters or digits, which
/// are not ASCII, one bit per byte. The byte-wise sums below cannot carry into the next byte
/// because the ASCII bytes they are used for are below 0x80.
#[inline(always)]
fn classify8(x: u64) -> (u64, u64) {
    let high = x & HIGHS;
    let ascii = x & !HIGHS;
    // Per byte: the high bit is set where `byte >= low` and where `byte > high`.
    let in_range = |v: u64, low: u8, top: u8| {
        let at_least = v + ONES * u64::from(0x80 - low);
        let above = v + ONES * u64::from(0x7F - top);
        at_least & !above & HIGHS
    };
    let digits = in_range(ascii, b'0', b'9');
    let letters = in_range(ascii | (ONES * 0x20), b'a', b'z');
    let word = (digits | letters) & !high;
    (pack(word), pack(high))
}

/// The high bit of each byte, as eight bits (byte 0 → bit 0).
#[inline(always)]
fn pack(highs: u64) -> u64 {
    ((highs >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

/// `scan` for the index: each word comes with its hash and its bytes, and an ASCII word (most
/// words of most briefs) is hashed where it stands, with nothing copied.
pub(crate) fn scan_hashed(
    text: &str,
    buffer: &mut Vec<u8>,
    mut each: impl FnMut(usize, usize, u64, WordBytes<'_>),
) {
    let bytes = text.as_bytes();
    let mut word = Word {
        text: bytes,
        buffer,
        state: State::None,
        chars: 0,
    };
    let mut i = 0;
    while i < bytes.len() {
        // 64 bytes at a time: a bit per byte for "ASCII letter or digit" and for "not
        // ASCII". A block of ASCII (nearly every block of an English brief) is walked word
        // by word with bit arithmetic, not byte by byte.
        let block = &bytes[i..bytes.len().min(i + 64)];
        let (in_word, high) = classify(block);
        let end = i + block.len();
        if high == 0 {
            let n = block.len();
            let mut mask = if n == 64 {
                in_word
            } else {
                in_word & ((1u64 << n) - 1)
            };
            // A word carried in from the block before goes on through the run the block starts
            // with, if any.
            if !matches!(word.state, State::None) {
                let lead = ((!mask).trailing_zeros() as usize).min(n);
                if lead > 0 {
                    word.push_run(i, &block[..lead]);
                }
                if lead == n {
                    i = end;
                    continue;
                }
                word.end(i + lead, &mut each);
                mask &= u64::MAX << lead;
            }
            // Then each run of letters and digits is a word, read whole from the text; the
            // last one, if it reaches the end of the block, may go on in the next.
            while mask != 0 {
                let start = mask.trailing_zeros() as usize;
                let stop = start + (!(mask >> start)).trailing_zeros() as usize;
                if stop >= n {
                    word.state = State::Run(i + start);
                    break;
                }
                let (from, to) = (i + start, i + stop);
                if stop - start > 1 || block[start].is_ascii_digit() {
                    let hash = hash_within(bytes, from, to, LOWER);
                    each(from, to, hash, WordBytes::Ascii(&bytes[from..to]));
                }
                mask &= u64::MAX << stop;
            }
            i = end;
            continue;
        }
        while i < end {
            i = step(text, i, &mut word, &mut each);
        }
    }
    word.end(bytes.len(), &mut each);
}

/// Reads the character at `i` (the slow way, for text that is not ASCII) and returns where
/// the next one starts.
fn step(
    text: &str,
    i: usize,
    word: &mut Word<'_, '_>,
    each: &mut impl FnMut(usize, usize, u64, WordBytes<'_>),
) -> usize {
    let b = text.as_bytes()[i];
    if let Some(&in_word) = IN_WORD.get(usize::from(b)) {
        if in_word {
            word.push_ascii(i, b);
        } else {
            word.end(i, each);
        }
        return i + 1;
    }
    let Some(c) = text[i..].chars().next() else {
        return text.len();
    };
    match fold(c) {
        Folded::Mark => word.spill(i),
        Folded::Break => word.end(i, each),
        Folded::Char(folded) => word.push_char(i, folded),
        Folded::Lower(c) => {
            for lower in c.to_lowercase() {
                word.push_char(i, lower);
            }
        }
        Folded::Ascii(ascii) => {
            word.buffered(i);
            for b in ascii.bytes().filter(u8::is_ascii_alphanumeric) {
                word.push_ascii(i, b);
            }
        }
    }
    i + c.len_utf8()
}

/// Where the word being read is.
#[derive(Clone, Copy)]
enum State {
    None,
    /// ASCII letters and digits from here: still in the text.
    Run(usize),
    /// Folded into the buffer; the word started here.
    Buffered(usize),
}

/// The word being read.
struct Word<'t, 'b> {
    text: &'t [u8],
    buffer: &'b mut Vec<u8>,
    state: State,
    /// Characters of a buffered word.
    chars: usize,
}

impl Word<'_, '_> {
    #[inline(always)]
    fn push_ascii(&mut self, at: usize, b: u8) {
        match self.state {
            State::None => self.state = State::Run(at),
            State::Run(_) => {}
            State::Buffered(_) => {
                self.buffer.push(b.to_ascii_lowercase());
                self.chars += 1;
            }
        }
    }

    /// A run of ASCII letters and digits starting at `at`.
    #[inline(always)]
    fn push_run(&mut self, at: usize, run: &[u8]) {
        match self.state {
            State::None => self.state = State::Run(at),
            State::Run(_) => {}
            State::Buffered(_) => {
                self.buffer.extend(run.iter().map(u8::to_ascii_lowercase));
                self.chars += run.len();
            }
        }
    }

    /// From here on the word differs from the text: copy what was read so far.
    fn spill(&mut self, at: usize) {
        if let State::Run(start) = self.state {
            let run = &self.text[start..at];
            self.buffer.clear();
            self.buffer.extend(run.iter().map(u8::to_ascii_lowercase));
            self.chars = run.len();
            self.state = State::Buffered(start);
        }
    }

    /// The word goes on in the buffer, or starts there.
    fn buffered(&mut self, at: usize) {
        match self.state {
            State::None => {
                self.buffer.clear();
                self.chars = 0;
                self.state = State::Buffered(at);
            }
            State::Run(_) => self.spill(at),
            State::Buffered(_) => {}
        }
    }

    fn push_char(&mut self, at: usize, c: char) {
        self.buffered(at);
        let mut utf8 = [0; 4];
        self.buffer
            .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        self.chars += 1;
    }

    #[inline(always)]
    fn end(&mut self, at: usize, each: &mut impl FnMut(usize, usize, u64, WordBytes<'_>)) {
        // One letter is no word (`s`, `l’`), but a digit is (`round 5`), and so is one
        // character of a script without spaces.
        match std::mem::replace(&mut self.state, State::None) {
            State::None => {}
            State::Run(start) => {
                let run = &self.text[start..at];
                if run.len() > 1 || run.first().is_some_and(u8::is_ascii_digit) {
                    each(
                        start,
                        at,
                        hash_within(self.text, start, at, LOWER),
                        WordBytes::Ascii(run),
                    );
                }
            }
            State::Buffered(start) => {
                let first = self.buffer.first().copied().unwrap_or(b'a');
                if self.chars > 1 || first.is_ascii_digit() || !first.is_ascii() {
                    each(
                        start,
                        at,
                        hash_bytes(self.buffer, 0),
                        WordBytes::Folded(self.buffer),
                    );
                }
            }
        }
    }
}

/// Every folded word of `text`, in order, each once per occurrence.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    scan(text, &mut Vec::new(), |_, _, word| {
        out.push(word.to_string())
    });
    out
}

/// What one character becomes in a word.
enum Folded {
    /// A mark on the letter before it (an accent, a haraka, a niqqud point): dropped,
    /// the word goes on.
    Mark,
    /// Not part of a word.
    Break,
    /// This character, as it stands.
    Char(char),
    /// This character lower-cased.
    Lower(char),
    /// A Latin letter with its accents off, from `deunicode` (`ß` → `ss`, `Ø` → `O`).
    Ascii(&'static str),
}

fn fold(c: char) -> Folded {
    let code = u32::from(c);
    match code {
        // Combining diacritics (a decomposed `é` is `e` + U+0301).
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF => Folded::Mark,
        // Zero-width joiners, soft hyphen: inside words in Persian and in copied text.
        0x200C | 0x200D | 0x00AD => Folded::Mark,
        // Latin with accents: Latin-1, Extended-A and -B, Extended Additional.
        // (Only letters: `×` and `÷` live here too, and are no `x`.)
        0x00C0..=0x024F | 0x1E00..=0x1EFF if c.is_alphabetic() => {
            match deunicode::deunicode_char(c) {
                Some(ascii) if ascii.bytes().any(|b| b.is_ascii_alphanumeric()) => {
                    Folded::Ascii(ascii)
                }
                _ if c.is_alphanumeric() => Folded::Lower(c),
                _ => Folded::Break,
            }
        }
        0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF => arabic(c),
        0x0590..=0x05FF => hebrew(c),
        _ if c.is_alphanumeric() => Folded::Lower(c),
        _ => Folded::Break,
    }
}

/// Arabic: harakat, Quranic marks and tatweel are dropped; the letters readers write
/// interchangeably become one; Arabic-Indic digits become digits.
fn arabic(c: char) -> Folded {
    match c {
        '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06ED}'
        | '\u{08D3}'..='\u{08FF}'
        | '\u{0640}' => Folded::Mark,
        'آ' | 'أ' | 'إ' | 'ٱ' => Folded::Char('ا'),
        'ى' | 'ئ' | 'ی' => Folded::Char('ي'),
        'ة' => Folded::Char('ه'),
        'ؤ' => Folded::Char('و'),
        'ک' => Folded::Char('ك'),
        '\u{0660}'..='\u{0669}' => digit(c, '\u{0660}'),
        '\u{06F0}'..='\u{06F9}' => digit(c, '\u{06F0}'),
        _ if c.is_alphabetic() => Folded::Char(c),
        _ => Folded::Break,
    }
}

/// Hebrew: niqqud and cantillation are dropped, final letters become ordinary ones; maqaf
/// and the punctuation of the block end a word.
fn hebrew(c: char) -> Folded {
    match c {
        '\u{0591}'..='\u{05BD}'
        | '\u{05BF}'
        | '\u{05C1}'
        | '\u{05C2}'
        | '\u{05C4}'
        | '\u{05C5}'
        | '\u{05C7}'
        | '\u{05F3}'
        | '\u{05F4}' => Folded::Mark,
        'ך' => Folded::Char('כ'),
        'ם' => Folded::Char('מ'),
        'ן' => Folded::Char('נ'),
        'ף' => Folded::Char('פ'),
        'ץ' => Folded::Char('צ'),
        _ if c.is_alphabetic() => Folded::Char(c),
        _ => Folded::Break,
    }
}

fn digit(c: char, zero: char) -> Folded {
    let n = u32::from(c) - u32::from(zero);
    char::from_digit(n, 10).map_or(Folded::Break, Folded::Char)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_words_are_lower_cased_and_one_letter_words_skipped() {
        assert_eq!(
            words("Israel's economic-zone talks, round 5."),
            ["israel", "economic", "zone", "talks", "round", "5"]
        );
    }

    #[test]
    fn latin_accents_come_off_composed_or_not() {
        assert_eq!(
            words("Schröder São Paulo Đorđe"),
            ["schroder", "sao", "paulo", "dorde"]
        );
        assert_eq!(words("Jose\u{301} Straße"), ["jose", "strasse"]);
    }

    #[test]
    fn arabic_harakat_and_letter_variants_fold() {
        // "the economic zone" with and without vowel marks, with alef variants and taa marbuta.
        assert_eq!(words("المِنْطَقَة الاقتصادية"), words("المنطقه الإقتصاديه"));
        assert_eq!(words("سـوريا"), ["سوريا"]);
        assert_eq!(words("٥"), ["5"]);
    }

    #[test]
    fn hebrew_niqqud_and_final_letters_fold() {
        assert_eq!(words("שָׁלוֹם"), words("שלום"));
        assert_eq!(words("שלום"), ["שלומ"]);
        assert_eq!(words("בית־הבחירה"), ["בית", "הבחירה"]);
    }

    #[test]
    fn hashes_read_along_are_the_hashes_of_the_words() {
        let text = "Schröder met WITKOFF; Jose\u{301} المِنْطَقَة שָׁלוֹם, round 5 İstanbul ǅ MechanismsAndMore x";
        let mut seen = Vec::new();
        scan_hashed(text, &mut Vec::new(), |_, _, hash, word| {
            let mut folded = String::new();
            word.push_to(&mut folded);
            seen.push((hash, folded))
        });
        assert_eq!(seen.len(), words(text).len());
        for (hash, word) in seen {
            assert_eq!(hash, super::hash(&word), "{word}");
        }
    }

    #[test]
    fn eight_bytes_at_once_agree_with_one_at_a_time() {
        let bytes: Vec<u8> = (0..=255u8).collect();
        for chunk in bytes.chunks(8) {
            let mut eight = [0; 8];
            eight.copy_from_slice(chunk);
            let (word, high) = classify8(u64::from_le_bytes(eight));
            for (k, b) in chunk.iter().enumerate() {
                assert_eq!(word >> k & 1 == 1, b.is_ascii_alphanumeric(), "{b:#x}");
                assert_eq!(high >> k & 1 == 1, !b.is_ascii(), "{b:#x}");
            }
        }
    }

    /// The same words read one character at a time, the slow way, as reference.
    fn slow(text: &str) -> Vec<(usize, usize, u64, String)> {
        let mut out = Vec::new();
        let mut buffer = Vec::new();
        let mut word = Word {
            text: text.as_bytes(),
            buffer: &mut buffer,
            state: State::None,
            chars: 0,
        };
        let mut each = |start, end, hash, bytes: WordBytes<'_>| {
            let mut folded = String::new();
            bytes.push_to(&mut folded);
            out.push((start, end, hash, folded));
        };
        let mut i = 0;
        while i < text.len() {
            i = step(text, i, &mut word, &mut each);
        }
        word.end(text.len(), &mut each);
        out
    }

    fn fast(text: &str) -> Vec<(usize, usize, u64, String)> {
        let mut out = Vec::new();
        scan_hashed(text, &mut Vec::new(), |start, end, hash, bytes| {
            let mut folded = String::new();
            bytes.push_to(&mut folded);
            out.push((start, end, hash, folded));
        });
        out
    }

    proptest::proptest! {
        #[test]
        fn blocks_read_the_words_one_character_at_a_time_reads(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    "[a-zA-Z0-9]{1,12}",
                    "[ ,.;:!?\n-]{1,3}",
                    "[a-z]{60,80}",
                    "(é|ß|İ|×|ـ|َ|ש|ָ|ם|٥|\u{301}|’|🎉)",
                ],
                0..60,
            )
        ) {
            let text: String = parts.concat();
            let words = fast(&text);
            for (_, _, hash, folded) in &words {
                proptest::prop_assert_eq!(*hash, super::hash(folded));
            }
            proptest::prop_assert_eq!(words, slow(&text));
        }
    }

    #[test]
    fn spans_point_at_the_original_text() {
        let text = "À Genève, l’accord";
        let mut spans = Vec::new();
        scan(text, &mut Vec::new(), |start, end, word| {
            spans.push((text[start..end].to_string(), word.to_string()))
        });
        assert_eq!(
            spans,
            [
                ("Genève".to_string(), "geneve".to_string()),
                ("accord".to_string(), "accord".to_string()),
            ]
        );
    }
}
