//! Fuzz target: see `plugwire_fuzz::session`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| plugwire_fuzz::session(data));
