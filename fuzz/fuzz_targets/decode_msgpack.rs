//! Fuzz target: see `plugwire_fuzz::decode_msgpack`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| plugwire_fuzz::decode_msgpack(data));
