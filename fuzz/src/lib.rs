//! The checks behind plugwire's fuzz targets, as plain functions: the `fuzz_targets/` binaries
//! call them with libFuzzer's input, and `tests/corpora.rs` runs every corpus file through
//! them under ordinary `cargo test`.
//!
//! Each check panics (which libFuzzer reports as a crash) only when plugwire breaks a rule:
//! a panic inside plugwire, a request left unanswered or answered twice, a reply with the wrong
//! Id, a message that does not survive encoding and decoding, an output left running after its
//! session ended.

use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use arbitrary::{Arbitrary, Unstructured};
use futures::StreamExt;
use plugwire::connect::Detect;
use plugwire::core::SerializerFactory;
use plugwire::devices::DeviceManager;
use plugwire::devices::simulated::{SimulatedDevice, SimulatedKind};
use plugwire::server::{Session, SessionConfig};
use plugwire_core::framing::LengthDelimited;
use plugwire_core::link::decode_inbound;
use plugwire_core::message::legacy::{ServerMessageV0, ServerMessageV2, ServerMessageV3};
use plugwire_core::message::{
    self, AnyClientMessage, DeviceInfo, Lenient, ServerMessage, SpecVersion, VersionedServerMessage,
};
use plugwire_core::{Decoded, Frame, Serializer};
use plugwire_json::JsonSerializer;
use plugwire_msgpack::MsgpackSerializer;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Text when the bytes are UTF-8, else binary: what a byte-stream transport would deliver.
fn frame_of(data: &[u8]) -> Frame {
    match std::str::from_utf8(data) {
        Ok(_) => Frame::Text(bytes::Bytes::copy_from_slice(data)),
        Err(_) => Frame::Binary(bytes::Bytes::copy_from_slice(data)),
    }
}

/// The simulated devices' descriptions, for converting legacy commands.
fn devices() -> &'static [DeviceInfo] {
    static DEVICES: OnceLock<Vec<DeviceInfo>> = OnceLock::new();
    DEVICES.get_or_init(|| {
        let manager = Arc::new(DeviceManager::new());
        for kind in SimulatedKind::ALL {
            SimulatedDevice::add_to(&manager, kind);
        }
        manager.devices()
    })
}

/// Client messages as the server decodes them, checked and converted for every spec version.
fn check_client_messages(decoded: Decoded<Lenient<AnyClientMessage>>) {
    for message in decoded.messages {
        let Lenient::Valid(message) = message else {
            continue;
        };
        for version in SpecVersion::ALL {
            let _ = message.available_in(version);
        }
        let lookup = |index: u32| devices().iter().find(|d| d.device_index == index).cloned();
        let _ = message::upgrade(message, lookup);
    }
}

/// Decodes as the server does ([`decode_inbound`]: one typed pass, message by message only
/// when that fails), checking the two paths agree whenever the typed one succeeds.
fn server_decode<S: Serializer>(
    serializer: &S,
    frame: &Frame,
) -> Decoded<Lenient<AnyClientMessage>> {
    let typed: Decoded<AnyClientMessage> = serializer.decode(frame);
    let one_by_one: Decoded<Lenient<AnyClientMessage>> = serializer.decode(frame);
    if typed.error.is_none() {
        assert!(
            one_by_one.error.is_none(),
            "the slow path refused a frame the fast path took"
        );
        let slow: Vec<_> = one_by_one
            .messages
            .iter()
            .map(|m| match m {
                Lenient::Valid(m) => m.clone(),
                Lenient::Invalid(bad) => {
                    panic!("the slow path refused a message the fast path took: {bad:?}")
                }
            })
            .collect();
        // Compared as text: NaN (which MessagePack can carry) is not equal to itself.
        assert_eq!(
            format!("{slow:?}"),
            format!("{:?}", typed.messages),
            "the two decoding paths disagree"
        );
    }
    decode_inbound(serializer, frame)
}

/// JSON decode of client messages of every spec version, and their conversion to v4; the
/// shortcut for a lone message holding only its Id agrees with serde_json.
pub fn decode_client_json(data: &[u8]) {
    check_shortcut::<AnyClientMessage>(data);
    check_shortcut::<Lenient<AnyClientMessage>>(data);
    check_shortcut::<serde_value::Value>(data);
    check_client_messages(server_decode(&JsonSerializer, &frame_of(data)));
}

/// plugwire-json's decoding, shortcut included, gives what serde_json alone gives.
fn check_shortcut<M: DeserializeOwned + std::fmt::Debug>(data: &[u8]) {
    let decoded: Decoded<M> = plugwire_json::decode_batches(data);
    let parsed: Decoded<M> = plugwire_json::parse_batches(data);
    assert_eq!(
        format!("{:?}", decoded.messages),
        format!("{:?}", parsed.messages),
        "the shortcut and serde_json disagree"
    );
    assert_eq!(
        decoded.error.map(|e| e.to_string()),
        parsed.error.map(|e| e.to_string()),
        "the shortcut and serde_json disagree"
    );
}

/// JSON decode of what a client parses: v4 server messages and the legacy ones.
pub fn decode_server_json(data: &[u8]) {
    let frame = frame_of(data);
    let _: Decoded<Lenient<ServerMessage>> = JsonSerializer.decode(&frame);
    let _: Decoded<Lenient<ServerMessageV0>> = JsonSerializer.decode(&frame);
    let _: Decoded<Lenient<ServerMessageV2>> = JsonSerializer.decode(&frame);
    let _: Decoded<Lenient<ServerMessageV3>> = JsonSerializer.decode(&frame);
}

/// MessagePack decode of client and server messages.
pub fn decode_msgpack(data: &[u8]) {
    let frame = Frame::Binary(bytes::Bytes::copy_from_slice(data));
    check_client_messages(server_decode(&MsgpackSerializer, &frame));
    let _: Decoded<Lenient<ServerMessage>> = MsgpackSerializer.decode(&frame);
    let _: Decoded<Lenient<ServerMessageV3>> = MsgpackSerializer.decode(&frame);
}

/// Bytes arriving in chunks of sizes the input chooses; writes go nowhere.
struct Scripted<'a> {
    data: &'a [u8],
    chunk: usize,
}

impl AsyncRead for Scripted<'_> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let take = self.chunk.min(self.data.len()).min(buf.remaining());
        let (now, rest) = self.data.split_at(take);
        buf.put_slice(now);
        self.data = rest;
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Scripted<'_> {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// What a length-delimited stream must decode to, by a plain reading of the format: frames,
/// then how the stream ends.
#[derive(Debug, PartialEq)]
enum Ending {
    Clean,
    TooLarge,
    Truncated,
}

fn expected_frames(mut rest: &[u8], max: usize) -> (Vec<&[u8]>, Ending) {
    let mut frames = Vec::new();
    loop {
        if rest.is_empty() {
            return (frames, Ending::Clean);
        }
        let Some((prefix, body)) = rest.split_first_chunk::<4>() else {
            return (frames, Ending::Truncated);
        };
        let length = u32::from_be_bytes(*prefix) as usize;
        if length > max {
            return (frames, Ending::TooLarge);
        }
        let Some((frame, after)) = body.split_at_checked(length) else {
            return (frames, Ending::Truncated);
        };
        frames.push(frame);
        rest = after;
    }
}

/// The length-delimited frame decoder fed arbitrary bytes in arbitrary chunks yields exactly
/// the frames a plain reading of the format gives, each text exactly when it is UTF-8 that
/// does not start with a MessagePack array marker, then ends as that reading says.
pub fn frame_decoder(data: &[u8]) {
    const MAX: usize = 256;
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let (expected, ending) = expected_frames(rest, MAX);
    let stream = Scripted {
        data: rest,
        chunk: usize::from(first % 16) + 1,
    };
    let mut framed = LengthDelimited::new(stream, MAX);
    futures::executor::block_on(async {
        for want in &expected {
            let frame = framed.next().await.expect("a frame").expect("a good frame");
            assert_eq!(frame.bytes().as_ref(), *want);
            let marker = matches!(want.first(), Some(0x90..=0x9f | 0xdc | 0xdd));
            let text = !marker && std::str::from_utf8(want).is_ok();
            assert_eq!(matches!(frame, Frame::Text(_)), text, "frame kind");
        }
        let end = framed.next().await;
        match ending {
            Ending::Clean => assert!(end.is_none(), "expected the end, got {end:?}"),
            Ending::TooLarge => assert!(
                matches!(
                    end,
                    Some(Err(plugwire_core::TransportError::FrameTooLarge { .. }))
                ),
                "expected FrameTooLarge, got {end:?}"
            ),
            // tokio-util's codec reports bytes left over at the end as an error, except when all
            // it had was a length prefix: that stream just ends. Either way nothing is delivered.
            Ending::Truncated => assert!(
                matches!(end, None | Some(Err(_))),
                "expected the end, got {end:?}"
            ),
        }
    });
}

/// One frame of a fuzzed session.
#[derive(Debug, Arbitrary)]
struct SessionFrame {
    binary: bool,
    bytes: Vec<u8>,
    /// Milliseconds that pass before it arrives.
    delay_ms: u16,
}

/// The Id of the one message in `reply`, whatever its kind.
fn reply_id(reply: &VersionedServerMessage) -> u64 {
    let value = serde_json::to_value(reply).unwrap_or_default();
    value
        .as_object()
        .and_then(|object| object.values().next())
        .and_then(|body| body.get("Id"))
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(u64::MAX)
}

/// A session fed an arbitrary sequence of frames: it never panics, answers every request with
/// exactly one reply (with the request's Id) or Error, and when it ends every output it drove
/// has stopped.
pub fn session(data: &[u8]) {
    let Ok(frames) = Vec::<SessionFrame>::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    else {
        return;
    };
    runtime.block_on(async {
        let manager = Arc::new(DeviceManager::new());
        let simulated: Vec<_> = SimulatedKind::ALL
            .iter()
            .map(|kind| SimulatedDevice::add_to(&manager, *kind))
            .collect();
        let config = Arc::new(SessionConfig {
            max_ping_time: Duration::from_millis(1000),
            handshake_timeout: Duration::from_millis(5000),
            input_timeout: Duration::from_millis(100),
            ..SessionConfig::default()
        });
        let start = tokio::time::Instant::now();
        let mut now = start;
        let mut session = Session::new(1, config, manager.clone(), now);
        let serializer = Detect::default().for_connection();
        for frame in frames {
            now += Duration::from_millis(u64::from(frame.delay_ms));
            if session.deadline().is_some_and(|deadline| now >= deadline) {
                let step = session.deadline_passed();
                assert!(
                    step.close && step.replies.len() == 1,
                    "a missed deadline is told once, then closes"
                );
                break;
            }
            let frame = if frame.binary {
                Frame::Binary(frame.bytes.into())
            } else {
                frame_of(&frame.bytes)
            };
            let inbound = decode_inbound::<_, AnyClientMessage>(&serializer, &frame);
            let mut expected: Vec<u64> = inbound
                .messages
                .iter()
                .map(|m| match m {
                    Lenient::Valid(m) => u64::from(m.id()),
                    Lenient::Invalid(m) => u64::from(m.id.unwrap_or(0)),
                })
                .collect();
            if let Some(error) = &inbound.error {
                expected.push(u64::from(error.request_id().unwrap_or(0)));
            }
            let step = session.handle(inbound, now);
            let mut got: Vec<u64> = step.replies.iter().map(reply_id).collect();
            // Reads are the driver's to perform; their answers come after the frame's replies.
            let mut replies = step.replies;
            for read in step.reads {
                let result = manager
                    .read_input(read.device_index, read.feature_index, read.input_type)
                    .await;
                let answered = session.read_done(read, result);
                got.extend(answered.replies.iter().map(reply_id));
                replies.extend(answered.replies);
            }
            got.sort_unstable();
            expected.sort_unstable();
            if step.close {
                // Disconnect: nothing is answered twice, nothing unasked is answered.
                let mut left = expected.clone();
                for id in &got {
                    let at = left.iter().position(|e| e == id);
                    assert!(at.is_some(), "{got:?} vs {expected:?}");
                    if let Some(at) = at {
                        left.remove(at);
                    }
                }
                break;
            }
            assert_eq!(
                got, expected,
                "every request gets exactly one reply, with its Id"
            );
            // Replies always encode in the session's serializer.
            assert!(serializer.encode(&replies).is_ok());
        }
        drop(session);
        for device in &simulated {
            assert!(
                device.state().is_idle(),
                "an output outlived its session: {:?}",
                device.state()
            );
        }
    });
}

/// Anything with a non-finite float cannot round-trip by value (NaN is not equal to itself,
/// and JSON has no infinities).
fn finite_client(message: &AnyClientMessage) -> bool {
    match message {
        AnyClientMessage::SingleMotorVibrateCmd(m) => m.speed.is_finite(),
        AnyClientMessage::VibrateCmd(m) => m.speeds.iter().all(|s| s.speed.is_finite()),
        AnyClientMessage::LinearCmd(m) => m.vectors.iter().all(|v| v.position.is_finite()),
        AnyClientMessage::RotateCmd(m) => m.rotations.iter().all(|r| r.speed.is_finite()),
        AnyClientMessage::ScalarCmd(m) => m.scalars.iter().all(|s| s.scalar.is_finite()),
        _ => true,
    }
}

fn finite_legacy<A>(message: &plugwire_core::message::legacy::LegacyServerMessage<A>) -> bool {
    match message {
        plugwire_core::message::legacy::LegacyServerMessage::BatteryLevelReading(m) => {
            m.battery_level.is_finite()
        }
        _ => true,
    }
}

fn round_trip_in<M, S>(serializer: &S, batch: &[M])
where
    M: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
    S: Serializer,
{
    if batch.is_empty() {
        return;
    }
    let frame = serializer
        .encode(batch)
        .expect("every valid message encodes");
    let back: Vec<M> = serializer
        .decode(&frame)
        .into_result()
        .expect("what was encoded decodes");
    assert_eq!(
        back,
        batch,
        "decode(encode(m)) == m in {}",
        serializer.name()
    );
}

/// Arbitrary valid messages of every kind survive encoding and decoding, in JSON and
/// MessagePack.
pub fn round_trip(data: &[u8]) {
    let mut input = Unstructured::new(data);
    let Ok(client) = Vec::<AnyClientMessage>::arbitrary(&mut input) else {
        return;
    };
    let Ok(server) = Vec::<ServerMessage>::arbitrary(&mut input) else {
        return;
    };
    let Ok(legacy_v0) = Vec::<ServerMessageV0>::arbitrary(&mut input) else {
        return;
    };
    let Ok(legacy_v2) = Vec::<ServerMessageV2>::arbitrary(&mut input) else {
        return;
    };
    let Ok(legacy_v3) = Vec::<ServerMessageV3>::arbitrary(&mut input) else {
        return;
    };
    let client: Vec<_> = client.into_iter().filter(finite_client).collect();
    let legacy_v0: Vec<_> = legacy_v0.into_iter().filter(finite_legacy).collect();
    let legacy_v2: Vec<_> = legacy_v2.into_iter().filter(finite_legacy).collect();
    let legacy_v3: Vec<_> = legacy_v3.into_iter().filter(finite_legacy).collect();
    round_trip_in(&JsonSerializer, &client);
    round_trip_in(&MsgpackSerializer, &client);
    round_trip_in(&JsonSerializer, &server);
    round_trip_in(&MsgpackSerializer, &server);
    round_trip_in(&JsonSerializer, &legacy_v0);
    round_trip_in(&MsgpackSerializer, &legacy_v0);
    round_trip_in(&JsonSerializer, &legacy_v2);
    round_trip_in(&MsgpackSerializer, &legacy_v2);
    round_trip_in(&JsonSerializer, &legacy_v3);
    round_trip_in(&MsgpackSerializer, &legacy_v3);
}
