//! Writes the seed corpora from the golden wire fixtures: `cargo run -p plugwire-fuzz --example seed_corpora`.
//! Each target starts from real messages of every spec version in the form it reads them.

use std::path::Path;

fn write(target: &str, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target);
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(name), bytes)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fixtures = include_str!("../../core/tests/fixtures/wire-messages.txt");
    let mut section = String::new();
    let mut session = Vec::new();
    for (n, line) in fixtures.lines().enumerate() {
        if let Some(heading) = line.strip_prefix("## ") {
            section = heading.replace(' ', "-");
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let batch = format!("[{line}]");
        let value: serde_json::Value = serde_json::from_str(&batch)?;
        let packed = rmp_serde::to_vec_named(&value)?;
        let name = format!("{section}-{n}");
        let target = if section.starts_with("client") {
            "decode_client_json"
        } else {
            "decode_server_json"
        };
        write(target, &name, batch.as_bytes())?;
        write("decode_msgpack", &name, &packed)?;
        let mut framed = u32::try_from(batch.len())?.to_be_bytes().to_vec();
        framed.extend_from_slice(batch.as_bytes());
        write("frame_decoder", &name, &[&[3u8][..], &framed].concat())?;
        if section.starts_with("client") {
            session.push(batch);
        }
    }
    // A session seed: a v4 handshake, then every client message, as arbitrary would read
    // frames (flag byte, length, bytes, delay) — close enough for libFuzzer to start from.
    let mut seed = Vec::new();
    for batch in &session {
        seed.push(0u8);
        seed.extend_from_slice(&u32::try_from(batch.len())?.to_le_bytes());
        seed.extend_from_slice(batch.as_bytes());
        seed.extend_from_slice(&[10, 0]);
    }
    write("session", "all-client-messages", &seed)?;
    write("round_trip", "zeros", &[0u8; 64])?;
    write("round_trip", "mixed", fixtures.as_bytes())?;
    Ok(())
}
