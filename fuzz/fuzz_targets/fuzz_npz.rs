//! Fuzzes the NumPy readers: the bytes as an `.npz` archive and as a bare `.npy` array.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lstm_studio::data::{parse_npy, parse_npz};

fuzz_target!(|bytes: &[u8]| {
    if let Ok(ds) = parse_npz(bytes, "fuzz.npz") {
        assert!(ds.validate().is_ok());
    }
    if let Ok(ds) = parse_npy(bytes, "fuzz.npy") {
        assert!(ds.validate().is_ok());
    }
});
