//! A configuration's `serial` entry as the settings `serialport` opens a port with.

use serialport::{DataBits, Parity, SerialPortBuilder, StopBits};

use plugwire_devices::config::SerialEntry;

use crate::SerialError;

/// How bytes are framed on the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Framing {
    data_bits: DataBits,
    parity: Parity,
    stop_bits: StopBits,
}

/// The builder for `entry`'s port with its baud rate, data bits, parity and stop bits.
pub(crate) fn builder(entry: &SerialEntry) -> Result<SerialPortBuilder, SerialError> {
    let framing = framing(entry)?;
    Ok(serialport::new(&entry.port, entry.baud_rate)
        .data_bits(framing.data_bits)
        .parity(framing.parity)
        .stop_bits(framing.stop_bits))
}

/// `entry`'s framing, checked.
fn framing(entry: &SerialEntry) -> Result<Framing, SerialError> {
    let bad = |setting, value: String, expected| SerialError::Framing {
        port: entry.port.clone(),
        setting,
        value,
        expected,
    };
    let data_bits = match entry.data_bits {
        5 => DataBits::Five,
        6 => DataBits::Six,
        7 => DataBits::Seven,
        8 => DataBits::Eight,
        other => return Err(bad("data_bits", other.to_string(), "5 to 8")),
    };
    let parity = match entry.parity.to_ascii_uppercase().as_str() {
        "N" | "NONE" => Parity::None,
        "O" | "ODD" => Parity::Odd,
        "E" | "EVEN" => Parity::Even,
        _ => return Err(bad("parity", entry.parity.clone(), "N, O or E")),
    };
    let stop_bits = match entry.stop_bits {
        1 => StopBits::One,
        2 => StopBits::Two,
        other => return Err(bad("stop_bits", other.to_string(), "1 or 2")),
    };
    Ok(Framing {
        data_bits,
        parity,
        stop_bits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(data_bits: u8, parity: &str, stop_bits: u8) -> SerialEntry {
        SerialEntry {
            port: "/dev/ttyUSB0".to_owned(),
            baud_rate: 115_200,
            data_bits,
            parity: parity.to_owned(),
            stop_bits,
        }
    }

    #[test]
    fn the_database_framing_is_understood() {
        assert_eq!(
            framing(&entry(8, "N", 1)).expect("8N1"),
            Framing {
                data_bits: DataBits::Eight,
                parity: Parity::None,
                stop_bits: StopBits::One,
            }
        );
        assert_eq!(
            framing(&entry(7, "e", 2)).expect("7E2"),
            Framing {
                data_bits: DataBits::Seven,
                parity: Parity::Even,
                stop_bits: StopBits::Two,
            }
        );
    }

    #[test]
    fn a_framing_no_port_has_is_refused_by_name() {
        for (bad, setting) in [
            (entry(9, "N", 1), "data_bits"),
            (entry(8, "X", 1), "parity"),
            (entry(8, "N", 3), "stop_bits"),
        ] {
            match framing(&bad) {
                Err(SerialError::Framing { setting: s, .. }) => assert_eq!(s, setting),
                other => panic!("expected a framing error, got {other:?}"),
            }
        }
    }
}
