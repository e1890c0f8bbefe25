//! TCode v0.3 (`tcode-v03`): OSR2, SR6 and other TCode strokers, usually on a serial port.
//! Text lines on tx, each ending in `\n`:
//! - a move over a duration (linear axis N): `LN` + magnitude + `I` + milliseconds;
//! - a position with no duration: `L0` + magnitude, then `R0` + the same magnitude;
//! - vibration channel N: `VN` + magnitude.
//!
//! The channel number is the feature index. A magnitude is a decimal fraction written without
//! its point (`5` is half, `51` and `510` a little more), so its digits are the value written in
//! as many digits as the values below the range's top need: a range topping at 999 is written
//! in three digits, at 99 (or 100) in two, and a top that is a power of ten (full travel) is
//! written as all nines.

use std::collections::BTreeMap;

use plugwire_core::message::{OutputCommand, OutputType};

use super::packet::per_output;
use crate::config::DeviceDefinition;
use crate::hardware::HardwareWrite;
use crate::protocol::{OutputState, Protocol};

/// The protocol for any `tcode-v03` device.
pub(super) fn protocol(_device_name: &str) -> Option<Box<dyn Protocol>> {
    Some(Box::new(TCodeV03::default()))
}

#[derive(Debug, Default)]
struct TCodeV03 {
    /// The top of each output's range, which decides how many digits its magnitude has.
    tops: BTreeMap<(u32, OutputType), i32>,
}

impl TCodeV03 {
    fn magnitude(&self, feature: u32, command: OutputCommand) -> String {
        let top = self
            .tops
            .get(&(feature, command.output_type()))
            .copied()
            .unwrap_or(DEFAULT_TOP);
        magnitude(command.value(), top)
    }
}

/// The database's range for TCode outputs: three-digit magnitudes.
const DEFAULT_TOP: i32 = 999;

/// `value` of a range topping at `top`, as TCode magnitude digits.
fn magnitude(value: i32, top: i32) -> String {
    let width = (top.max(2) - 1).unsigned_abs().ilog10() + 1;
    let most = 10i64.pow(width) - 1;
    let digits = usize::try_from(width).unwrap_or(1);
    format!("{:0digits$}", i64::from(value).clamp(0, most))
}

impl Protocol for TCodeV03 {
    fn configure(&mut self, model: &DeviceDefinition) {
        self.tops = model
            .features
            .iter()
            .flat_map(|feature| {
                feature
                    .output
                    .iter()
                    .map(|(t, limits)| ((feature.feature_index, *t), limits.value.max))
            })
            .collect();
    }

    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        per_output(changed, false, |feature, command| {
            let magnitude = self.magnitude(feature, command);
            let line = match command {
                OutputCommand::HwPositionWithDuration(move_to) => {
                    format!("L{feature}{magnitude}I{}\n", move_to.duration)
                }
                OutputCommand::Position(_) => format!("L0{magnitude}\nR0{magnitude}\n"),
                OutputCommand::Vibrate(_) => format!("V{feature}{magnitude}\n"),
                _ => return None,
            };
            Some(line.into_bytes())
        })
    }
}

#[cfg(test)]
mod tests {
    use plugwire_core::message::{OutputCommand, OutputType};

    use super::{Protocol, TCodeV03, magnitude};
    use crate::config::DeviceConfig;
    use crate::hardware::{Endpoint, HardwareWrite};
    use crate::protocol::OutputState;

    #[test]
    fn a_position_without_duration_sets_both_axes() {
        let mut tcode = TCodeV03::default();
        let model = DeviceConfig::builtin()
            .definition("tcode-v03", "/dev/ttyUSB0")
            .expect("the database's defaults");
        tcode.configure(&model);
        let writes = tcode.writes(
            &[(0, OutputCommand::new(OutputType::Position, 510))],
            &OutputState::default(),
        );
        assert_eq!(
            writes,
            vec![HardwareWrite::new(Endpoint::Tx, *b"L0510\nR0510\n", false)]
        );
    }

    #[test]
    fn magnitudes_have_the_digits_of_their_range() {
        assert_eq!(magnitude(510, 999), "510");
        assert_eq!(magnitude(5, 999), "005");
        assert_eq!(magnitude(51, 100), "51");
        assert_eq!(magnitude(100, 100), "99");
        assert_eq!(magnitude(0, 99), "00");
        assert_eq!(magnitude(99, 99), "99");
        assert_eq!(magnitude(1000, 1000), "999");
        assert_eq!(magnitude(-3, 999), "000");
        assert_eq!(magnitude(1, 1), "1");
    }
}
