//! Fuzz target: see `plugwire_fuzz::decode_client_json`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| plugwire_fuzz::decode_client_json(data));
