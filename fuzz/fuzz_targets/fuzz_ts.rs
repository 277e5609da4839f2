//! Fuzzes the `.ts` parser: any text must give a data set or an error, never a panic; a data
//! set that parses must also write back out and validate.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lstm_studio::data::{parse_ts, write_ts};

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    if let Ok(ds) = parse_ts(&text, "fuzz.ts") {
        assert!(ds.validate().is_ok());
        let mut out = Vec::new();
        let _ = write_ts(&ds, &mut out);
    }
});
