//! Fuzzes the raw UCI Japanese Vowels parser: the first byte picks the blocks per speaker, the
//! rest is the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lstm_studio::data::parse_uci_vowels;

fuzz_target!(|bytes: &[u8]| {
    let Some((&first, rest)) = bytes.split_first() else {
        return;
    };
    let counts: Vec<usize> = (0..usize::from(first % 4)).map(|k| k + 1).collect();
    let text = String::from_utf8_lossy(rest);
    let choice = if first >= 128 { None } else { Some(counts.as_slice()) };
    if let Ok(ds) = parse_uci_vowels(&text, "fuzz.txt", choice) {
        assert!(ds.validate().is_ok());
    }
});
