//! Fuzzes the long-form CSV parser with detected columns: no panic, and a loaded data set is
//! internally consistent and writes back out.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lstm_studio::data::{CsvColumns, parse_long_csv, write_long_csv};

fuzz_target!(|bytes: &[u8]| {
    if let Ok(ds) = parse_long_csv(bytes, "fuzz.csv", &CsvColumns::default()) {
        assert!(ds.validate().is_ok());
        let mut out = Vec::new();
        let _ = write_long_csv(&ds, &mut out);
    }
});
