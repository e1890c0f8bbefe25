//! Runs every file of every fuzz corpus through its target's check, as an ordinary test: the
//! seeds, and every input the fuzzer ever kept or that once crashed, stay regression tests.

use std::path::Path;

fn run(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{target} has no corpus");
    for file in files {
        let data = std::fs::read(&file).expect("read corpus file");
        check(&data);
    }
}

#[test]
fn decode_client_json() {
    run("decode_client_json", plugwire_fuzz::decode_client_json);
}

#[test]
fn decode_server_json() {
    run("decode_server_json", plugwire_fuzz::decode_server_json);
}

#[test]
fn decode_msgpack() {
    run("decode_msgpack", plugwire_fuzz::decode_msgpack);
}

#[test]
fn frame_decoder() {
    run("frame_decoder", plugwire_fuzz::frame_decoder);
}

#[test]
fn session() {
    run("session", plugwire_fuzz::session);
}

#[test]
fn round_trip() {
    run("round_trip", plugwire_fuzz::round_trip);
}
