//! Inputs the fuzzers found problems with, kept as tests.

use plugwire::core::Serializer;
use plugwire::core::message::AnyClientMessage;
use plugwire::core::message::legacy::SingleMotorVibrateCmd;
use plugwire::json::JsonSerializer;

/// round_trip found that JSON decoding could change the last digit of a float (serde_json's
/// fast float parser); the `float_roundtrip` feature makes decoding exact.
#[test]
fn json_floats_round_trip_exactly() {
    for speed in [
        3.946_459_631_328_314e180,
        2.078_907_136_850_268e262,
        0.1 + 0.2,
        f64::MIN_POSITIVE,
    ] {
        let message = vec![AnyClientMessage::SingleMotorVibrateCmd(
            SingleMotorVibrateCmd {
                id: 1,
                device_index: 0,
                speed,
            },
        )];
        let frame = JsonSerializer.encode(&message).expect("encode");
        let back: Vec<AnyClientMessage> =
            JsonSerializer.decode(&frame).into_result().expect("decode");
        assert_eq!(back, message, "{speed:e}");
    }
}
