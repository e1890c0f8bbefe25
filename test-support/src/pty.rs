//! A pseudo-terminal pair standing in for a serial port: whoever is under test opens the port
//! side by its path, as it would a real port named in a user configuration, and the test reads
//! what a device would, on the other side.

use std::io::Read;
use std::time::{Duration, Instant};

use serialport::{SerialPort, TTYPort};

/// How long the device side waits for a whole line.
const LINE_WAIT: Duration = Duration::from_secs(20);

/// A TCode user configuration naming `port` as a stroker called `name` with a stroke (feature
/// 0, positions 0–999) and a vibration channel (feature 1, 0–99).
pub fn tcode_user_config(port: &str, name: &str) -> String {
    format!(
        r#"{{
  "version": {{ "major": 4, "minor": 0 }},
  "user_configs": {{
    "protocols": {{
      "tcode-v03": {{
        "communication": [
          {{ "serial": {{ "port": "{port}", "baud_rate": 115200, "data_bits": 8, "parity": "N", "stop_bits": 1 }} }}
        ],
        "configurations": [
          {{
            "identifier": ["{port}"],
            "name": "{name}",
            "features": [
              {{ "index": 0, "description": "Stroke", "output": {{ "hw_position_with_duration": {{ "value": [0, 999], "duration": [0, 99999] }} }} }},
              {{ "index": 1, "description": "Vibration", "output": {{ "vibrate": {{ "value": [0, 99] }} }} }}
            ]
          }}
        ]
      }}
    }}
  }}
}}"#
    )
}

/// Opens a pair: the device side, and the path of the port side. The port side is closed
/// again so that only whoever opens the path holds it, as with real hardware.
pub fn open_pair() -> (TTYPort, String) {
    let (device, port) = TTYPort::pair().expect("a pseudo-terminal pair");
    let path = port.name().expect("the port side's path");
    drop(port);
    (device, path)
}

/// The device side: the next line (up to `\n`) off the pair's master side, read on a blocking
/// thread so the runtime goes on; what arrived when the wait ran out, if no whole line did.
pub async fn read_line(mut device: TTYPort) -> (TTYPort, String) {
    tokio::task::spawn_blocking(move || {
        let deadline = Instant::now() + LINE_WAIT;
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while !line.ends_with(b"\n") && Instant::now() < deadline {
            // Each read waits at most the master side's 100 ms timeout.
            if let Ok(1) = device.read(&mut byte) {
                line.push(byte[0]);
            }
        }
        (device, String::from_utf8_lossy(&line).into_owned())
    })
    .await
    .expect("the reading thread")
}
