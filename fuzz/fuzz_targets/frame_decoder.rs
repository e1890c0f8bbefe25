//! Fuzz target: see `plugwire_fuzz::frame_decoder`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| plugwire_fuzz::frame_decoder(data));
