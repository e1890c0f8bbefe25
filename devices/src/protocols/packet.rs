//! Small shared shapes protocols are built from: reading a value out of the output state,
//! turning it into a byte, and writing a packet to tx. A device family whose whole protocol is
//! "one packet carrying the first vibrator's speed" is a [`VibratorPacket`] and one function;
//! one packet per vibrator is a [`VibratorPackets`]; one packet carrying every feature's value
//! in a fixed frame is a [`SlotPacket`].

use plugwire_core::message::{DeviceFeature, OutputCommand, OutputType, PositionWithDuration};

use crate::config::DeviceDefinition;
use crate::hardware::{Endpoint, HardwareWrite};
use crate::protocol::{OutputState, Protocol};

/// The value of one output in `state` (0 when never set).
pub(crate) fn value_of(state: &OutputState, feature_index: u32, output_type: OutputType) -> i32 {
    state
        .get(&(feature_index, output_type))
        .map_or(0, OutputCommand::value)
}

/// The value of the output of type `output_type`, whichever feature has it (0 when never
/// set), for protocols with a fixed place per output type rather than per feature.
pub(crate) fn value_of_type(state: &OutputState, output_type: OutputType) -> i32 {
    state
        .iter()
        .find(|((_, t), _)| *t == output_type)
        .map_or(0, |(_, command)| command.value())
}

/// A byte from a step value already checked against the feature's range.
pub(crate) fn byte(value: i32) -> u8 {
    u8::try_from(value.clamp(0, 255)).unwrap_or(u8::MAX)
}

/// A feature index counted from 1, as the byte naming the motor in packets that do so.
pub(crate) fn motor_number(feature_index: u32) -> u8 {
    u8::try_from(feature_index.saturating_add(1)).unwrap_or(u8::MAX)
}

/// The speed of the vibrator on `feature_index`, as a byte.
pub(crate) fn vibration(state: &OutputState, feature_index: u32) -> u8 {
    byte(value_of(state, feature_index, OutputType::Vibrate))
}

/// One write of `data` to tx.
pub(crate) fn tx(data: impl Into<Vec<u8>>, with_response: bool) -> Vec<HardwareWrite> {
    vec![HardwareWrite::new(Endpoint::Tx, data, with_response)]
}

/// One packet per changed output, in feature order, for protocols that address each motor
/// on its own; `packet` gives none for outputs the protocol does not drive.
pub(crate) fn per_output(
    changed: &[(u32, OutputCommand)],
    with_response: bool,
    mut packet: impl FnMut(u32, OutputCommand) -> Option<Vec<u8>>,
) -> Vec<HardwareWrite> {
    changed
        .iter()
        .filter_map(|&(feature, command)| packet(feature, command))
        .map(|data| HardwareWrite::new(Endpoint::Tx, data, with_response))
        .collect()
}

/// Whether a change touches any vibrator, for protocols that send every vibrator in one
/// packet and nothing for other outputs.
pub(crate) fn vibration_changed(changed: &[(u32, OutputCommand)]) -> bool {
    changed
        .iter()
        .any(|(_, command)| command.output_type() == OutputType::Vibrate)
}

/// The position-with-duration moves in a change, in order, for strokers sending a packet
/// per move.
pub(crate) fn moves(
    changed: &[(u32, OutputCommand)],
) -> impl Iterator<Item = PositionWithDuration> + '_ {
    changed.iter().filter_map(|(_, command)| match command {
        OutputCommand::HwPositionWithDuration(move_to) => Some(*move_to),
        _ => None,
    })
}

/// Every output of a model, in feature order, by feature index.
pub(crate) fn output_layout(features: &[DeviceFeature]) -> Vec<(u32, OutputType)> {
    features
        .iter()
        .flat_map(|feature| {
            feature
                .output
                .keys()
                .map(move |t| (feature.feature_index, *t))
        })
        .collect()
}

/// Every feature stopped, for its first output that has an "off" (positions have none), as
/// the changes that stop the whole device and the state they leave: what a protocol whose
/// device must hear from us from the moment it is connected writes then, so its keep-alive
/// has a stop to repeat until the first command.
pub(crate) fn stopped(features: &[DeviceFeature]) -> (Vec<(u32, OutputCommand)>, OutputState) {
    let stops: Vec<(u32, OutputCommand)> = features
        .iter()
        .filter_map(|feature| {
            OutputType::ALL
                .into_iter()
                .filter(|t| feature.output.contains_key(t))
                .find_map(OutputType::stop_command)
                .map(|stop| (feature.feature_index, stop))
        })
        .collect();
    let state = stops
        .iter()
        .map(|&(feature, stop)| ((feature, stop.output_type()), stop))
        .collect();
    (stops, state)
}

/// How many vibrators a model has.
pub(crate) fn vibrator_count(features: &[DeviceFeature]) -> usize {
    output_layout(features)
        .iter()
        .filter(|(_, t)| *t == OutputType::Vibrate)
        .count()
}

/// A protocol whose every command is one packet on tx carrying the first vibrator's speed.
pub(crate) struct VibratorPacket {
    /// The packet for a speed.
    pub(crate) packet: fn(u8) -> Vec<u8>,
    /// Whether the device acknowledges each packet.
    pub(crate) with_response: bool,
}

impl Protocol for VibratorPacket {
    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        tx((self.packet)(vibration(state, 0)), self.with_response)
    }
}

/// A protocol whose every command is built from the speeds of the first two vibrators, on tx.
pub(crate) struct TwoVibrators {
    /// The packets for the first vibrator's speed and the second's (`None`: the model has
    /// one vibrator).
    packets: fn(u8, Option<u8>) -> Vec<Vec<u8>>,
    /// Whether the device acknowledges each packet.
    with_response: bool,
    /// Whether the model has a second vibrator (taken to until configured).
    dual: bool,
}

impl TwoVibrators {
    pub(crate) fn new(packets: fn(u8, Option<u8>) -> Vec<Vec<u8>>, with_response: bool) -> Self {
        Self {
            packets,
            with_response,
            dual: true,
        }
    }
}

impl Protocol for TwoVibrators {
    fn configure(&mut self, model: &DeviceDefinition) {
        self.dual = vibrator_count(&model.features) > 1;
    }

    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let second = self.dual.then(|| vibration(state, 1));
        (self.packets)(vibration(state, 0), second)
            .into_iter()
            .map(|packet| HardwareWrite::new(Endpoint::Tx, packet, self.with_response))
            .collect()
    }
}

/// Where a device that moves to positions was last sent, for protocols whose packets depend
/// on the distance travelled. A new position counts once the writes sending the device
/// there arrive ([`Protocol::written`]); until then the next move is measured from it all the
/// same, as it is where the device is heading.
#[derive(Debug, Default)]
pub(crate) struct LastPosition<T = i32> {
    /// Where the device is known to have been sent (it starts at 0).
    reached: T,
    /// Where the latest writes send it, not yet known to have arrived.
    pending: Option<T>,
}

impl<T: Copy> LastPosition<T> {
    /// Records a move to `target`; gives where the move starts.
    pub(crate) fn move_to(&mut self, target: T) -> T {
        let from = self.pending.unwrap_or(self.reached);
        self.pending = Some(target);
        from
    }

    /// Keeps the pending position when the writes arrived, forgets it when they did not.
    pub(crate) fn written(&mut self, success: bool) {
        if let Some(position) = self.pending.take()
            && success
        {
            self.reached = position;
        }
    }
}

/// Writing Protocol Buffers (proto3) messages by hand, as far as The Handy's packets need it:
/// fields holding their type's default are left out, as proto3 encoders do; nested messages
/// are always written, empty or not.
pub(crate) mod protobuf {
    /// Wire types.
    const VARINT: u64 = 0;
    const FIXED64: u64 = 1;
    const LENGTH_DELIMITED: u64 = 2;
    const FIXED32: u64 = 5;

    fn varint(out: &mut Vec<u8>, mut value: u64) {
        while value >= 0x80 {
            // The low seven bits, with the high bit saying more follow.
            out.push((value & 0x7f) as u8 | 0x80);
            value >>= 7;
        }
        out.push(value as u8);
    }

    fn key(out: &mut Vec<u8>, field: u32, wire_type: u64) {
        varint(out, u64::from(field) << 3 | wire_type);
    }

    /// An unsigned integer, enum or bool field.
    pub(crate) fn uint(out: &mut Vec<u8>, field: u32, value: u64) {
        if value != 0 {
            key(out, field, VARINT);
            varint(out, value);
        }
    }

    /// A `float` field.
    pub(crate) fn float(out: &mut Vec<u8>, field: u32, value: f32) {
        if value != 0.0 {
            key(out, field, FIXED32);
            out.extend(value.to_le_bytes());
        }
    }

    /// A `double` field.
    pub(crate) fn double(out: &mut Vec<u8>, field: u32, value: f64) {
        if value != 0.0 {
            key(out, field, FIXED64);
            out.extend(value.to_le_bytes());
        }
    }

    /// A nested message field (or one element of a repeated one).
    pub(crate) fn message(out: &mut Vec<u8>, field: u32, body: &[u8]) {
        key(out, field, LENGTH_DELIMITED);
        varint(out, body.len() as u64);
        out.extend_from_slice(body);
    }
}

/// A protocol that addresses each vibrator on its own: one packet on tx per changed vibrator,
/// built from its feature index and speed.
pub(crate) struct VibratorPackets {
    /// The packet for the vibrator on a feature, at a speed.
    pub(crate) packet: fn(u32, u8) -> Vec<u8>,
    /// Whether the device acknowledges each packet.
    pub(crate) with_response: bool,
}

impl Protocol for VibratorPackets {
    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        per_output(changed, self.with_response, |feature, command| {
            (command.output_type() == OutputType::Vibrate)
                .then(|| (self.packet)(feature, byte(command.value())))
        })
    }
}

/// A protocol that addresses each output on its own and keeps no state: one packet on tx per
/// changed output, built from its feature index and command, none for outputs it does not
/// drive.
pub(crate) struct OutputPackets {
    /// The packet for an output's command on a feature, if the protocol drives it.
    pub(crate) packet: fn(u32, OutputCommand) -> Option<Vec<u8>>,
    /// Whether the device acknowledges each packet.
    pub(crate) with_response: bool,
}

impl Protocol for OutputPackets {
    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        _state: &OutputState,
    ) -> Vec<HardwareWrite> {
        per_output(changed, self.with_response, self.packet)
    }
}

/// A protocol whose every command is one packet on tx carrying the value of each of the first
/// `slots` features, by feature index, between a fixed `prefix` and `suffix`.
pub(crate) struct SlotPacket {
    pub(crate) prefix: &'static [u8],
    /// How many features have a slot (their outputs, whatever the type, in index order).
    pub(crate) slots: u32,
    pub(crate) suffix: &'static [u8],
    /// Whether the device acknowledges each packet.
    pub(crate) with_response: bool,
}

/// The value of whichever output feature `feature_index` has (0 when never set).
fn value_of_feature(state: &OutputState, feature_index: u32) -> i32 {
    state
        .iter()
        .find(|((feature, _), _)| *feature == feature_index)
        .map_or(0, |(_, command)| command.value())
}

impl Protocol for SlotPacket {
    fn writes(
        &mut self,
        _changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite> {
        let mut packet = self.prefix.to_vec();
        packet.extend((0..self.slots).map(|feature| byte(value_of_feature(state, feature))));
        packet.extend_from_slice(self.suffix);
        tx(packet, self.with_response)
    }
}
