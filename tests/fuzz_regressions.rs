//! Inputs the fuzzers found problems with, kept as tests.

use plugwire::core::link::decode_inbound;
use plugwire::core::message::legacy::SingleMotorVibrateCmd;
use plugwire::core::message::{AnyClientMessage, Lenient};
use plugwire::core::{Decoded, Frame, SerializeError, Serializer};
use plugwire::json::JsonSerializer;
use plugwire::msgpack::MsgpackSerializer;

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

/// The typed (fast) and buffered (one message at a time) decodings of a frame, and what the
/// server makes of it.
fn both_paths<S: Serializer>(
    serializer: &S,
    frame: &Frame,
) -> (
    Decoded<AnyClientMessage>,
    Decoded<Lenient<AnyClientMessage>>,
    Decoded<Lenient<AnyClientMessage>>,
) {
    (
        serializer.decode(frame),
        serializer.decode(frame),
        decode_inbound(serializer, frame),
    )
}

/// decode_client_json found an unknown field holding a number beyond `f64` that the typed path
/// skipped while the buffered path refused the frame. Every value is read in full, unknown
/// fields included: the frame is malformed on both paths, and answered with its one Id.
#[test]
fn json_number_beyond_f64_in_an_unknown_field_is_malformed_on_both_paths() {
    let text = r#"[{"StopCmd":{"Id":4,"DeviceIndexndereIn`ex":0,"ndex":9989999999999999999999e9999999999999999990,"I":false,"Outputs":true}}]"#;
    let frame = Frame::Text(text.as_bytes().to_vec().into());
    let (typed, buffered, inbound) = both_paths(&JsonSerializer, &frame);
    assert!(
        matches!(
            typed.error,
            Some(SerializeError::Malformed { id: Some(4), .. })
        ),
        "typed: {:?}",
        typed.error
    );
    assert!(typed.messages.is_empty());
    assert!(
        matches!(
            buffered.error,
            Some(SerializeError::Malformed { id: Some(4), .. })
        ),
        "buffered: {:?}",
        buffered.error
    );
    assert!(inbound.messages.is_empty());
    assert_eq!(inbound.error.and_then(|e| e.request_id()), Some(4));

    // An unknown field holding an ordinary value is still ignored, on both paths.
    let text = r#"[{"StopCmd":{"Id":4,"Extra":1e300,"More":[{"x":"\u00e9"}]}}]"#;
    let frame = Frame::Text(text.as_bytes().to_vec().into());
    let (typed, buffered, _) = both_paths(&JsonSerializer, &frame);
    let typed = typed.into_result().expect("typed");
    let buffered = buffered.into_result().expect("buffered");
    assert_eq!(buffered, vec![Lenient::Valid(typed[0].clone())]);
    assert_eq!(typed[0].id(), 4);
}

/// decode_msgpack found a `bin` where a message body belongs: rmp_serde read its bytes as the
/// fields of `DeviceOnly`, positionally, while the buffered path (rightly) saw bytes. A blob
/// is only ever bytes: the message is refused on both paths and keeps its name.
#[test]
fn msgpack_blob_is_not_a_message_body() {
    const HEX: &str = "9181af426174746572794c6576656c436d64c44465ab76696381a7496e707574436d6485a7436f6d6d616ecececececececececeffffffffff3d5b73cece76696365496e64657800aca2a96413a4546e64657800a2496401";
    let bytes: Vec<u8> = (0..HEX.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&HEX[i..i + 2], 16).expect("hex"))
        .collect();
    assert_eq!(bytes.len(), 88);
    let frame = Frame::Binary(bytes.into());
    let (typed, buffered, inbound) = both_paths(&MsgpackSerializer, &frame);
    assert!(
        typed.error.is_some(),
        "the typed path took a blob as a message: {:?}",
        typed.messages
    );
    assert!(buffered.error.is_none());
    for decoded in [buffered, inbound] {
        match decoded.messages.as_slice() {
            [Lenient::Invalid(bad)] => {
                assert_eq!(bad.name.as_deref(), Some("BatteryLevelCmd"));
                assert_eq!(bad.id, None);
            }
            other => panic!("expected one invalid message, got {other:?}"),
        }
    }

    // Nor can a blob stand for a list (a raw write's Data) or an enum.
    let data_as_blob =
        b"\x91\x81\xabRawWriteCmd\x85\xa2Id\x01\xabDeviceIndex\x00\xa8Endpoint\xa2tx\
        \xb1WriteWithResponse\xc3\xa4Data\xc4\x02\x01\x02";
    let frame = Frame::Binary(data_as_blob.to_vec().into());
    let (typed, buffered, _) = both_paths(&MsgpackSerializer, &frame);
    assert!(typed.error.is_some(), "{:?}", typed.messages);
    assert!(matches!(
        buffered.messages.as_slice(),
        [Lenient::Invalid(bad)] if bad.id == Some(1)
    ));
}
