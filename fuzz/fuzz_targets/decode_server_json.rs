//! Fuzz target: see `plugwire_fuzz::decode_server_json`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| plugwire_fuzz::decode_server_json(data));
