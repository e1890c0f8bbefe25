//! The device list is encoded once per change of devices, spec version and serializer, and
//! each reply is that encoding with its own Id spliced in. These tests hold the spliced
//! replies to the bytes a full encoding gives: for every spec version, both serializers, Ids
//! of every encoded width, and over a real connection before and after a device change.

mod common;

use std::sync::Arc;

use common::{serve_any, within};
use futures::{SinkExt, StreamExt};
use plugwire::connect::{AnyDialer, ConnectionUrl};
use plugwire::core::message::{SharedDeviceList, SpecVersion, VersionedServerMessage};
use plugwire::core::{Establish, Frame, Outgoing, Serializer};
use plugwire::devices::DeviceManager;
use plugwire::devices::simulated::{SimulatedDevice, SimulatedKind};
use plugwire::json::JsonSerializer;
use plugwire::msgpack::MsgpackSerializer;
use plugwire::server::{Server, ServerConfig};
use serde_json::Value;

/// Ids whose encodings differ in width in JSON (digits) and MessagePack (fixint, uint8,
/// uint16, uint32).
const IDS: [u32; 10] = [1, 9, 10, 127, 128, 255, 256, 65_535, 65_536, u32::MAX];

fn devices() -> Arc<DeviceManager> {
    let devices = Arc::new(DeviceManager::new());
    SimulatedDevice::add_to(&devices, SimulatedKind::Vibrator);
    SimulatedDevice::add_to(&devices, SimulatedKind::Stroker);
    SimulatedDevice::add_to(&devices, SimulatedKind::Rotator);
    devices
}

fn reply(devices: &DeviceManager, version: SpecVersion, id: u32) -> VersionedServerMessage {
    let snapshot = devices.device_list(version);
    VersionedServerMessage::SharedDeviceList(SharedDeviceList::new(
        id,
        snapshot.list,
        snapshot.templates,
    ))
}

/// What a full encoding of the same reply gives.
fn encoded_in_full<S: Serializer>(serializer: &S, reply: &VersionedServerMessage) -> Frame {
    let VersionedServerMessage::SharedDeviceList(shared) = reply else {
        panic!("not a shared list");
    };
    serializer
        .encode(&[shared.to_owned_message()])
        .expect("encode")
}

fn check_spliced<S: Serializer>(serializer: &S, devices: &DeviceManager) {
    for version in SpecVersion::ALL {
        for id in IDS {
            let reply = reply(devices, version, id);
            let VersionedServerMessage::SharedDeviceList(shared) = &reply else {
                unreachable!()
            };
            // The reply really comes from the template, not from a fallback to full encoding.
            let spliced = shared
                .frame(serializer)
                .expect("encode")
                .expect("a template for this serializer");
            assert_eq!(
                spliced,
                encoded_in_full(serializer, &reply),
                "{} {version} Id {id}",
                serializer.name()
            );
            assert_eq!(
                VersionedServerMessage::encode_batch(serializer, std::slice::from_ref(&reply))
                    .expect("encode"),
                spliced
            );
        }
    }
}

#[test]
fn a_spliced_json_device_list_is_the_full_encoding_byte_for_byte() {
    check_spliced(&JsonSerializer, &devices());
}

#[test]
fn a_spliced_msgpack_device_list_is_the_full_encoding_byte_for_byte() {
    check_spliced(&MsgpackSerializer, &devices());
}

#[test]
fn one_list_serves_json_and_msgpack_sessions_from_their_own_templates() {
    let devices = devices();
    check_spliced(&JsonSerializer, &devices);
    check_spliced(&MsgpackSerializer, &devices);
    check_spliced(&JsonSerializer, &devices);
}

#[test]
fn a_list_among_other_replies_is_encoded_in_full() {
    let devices = devices();
    let batch = [
        VersionedServerMessage::ok(SpecVersion::V4, 3),
        reply(&devices, SpecVersion::V4, 4),
    ];
    let owned: Vec<VersionedServerMessage> = batch
        .iter()
        .map(|message| match message {
            VersionedServerMessage::SharedDeviceList(shared) => shared.to_owned_message(),
            other => other.clone(),
        })
        .collect();
    assert_eq!(
        VersionedServerMessage::encode_batch(&JsonSerializer, &batch).expect("encode"),
        JsonSerializer.encode(&owned).expect("encode")
    );
}

async fn next_frame(transport: &mut plugwire::core::BoxTransport) -> Frame {
    transport.next().await.expect("a reply").expect("no error")
}

/// `text` as sent in JSON, or the same message in MessagePack.
fn frame(text: &str, binary: bool) -> Frame {
    if binary {
        let value: Value = serde_json::from_str(text).expect("json");
        Frame::Binary(rmp_serde::to_vec_named(&value).expect("encode").into())
    } else {
        Frame::Text(text.to_owned().into())
    }
}

fn request(id: u32, binary: bool) -> Frame {
    frame(
        &format!(r#"[{{"RequestDeviceList":{{"Id":{id}}}}}]"#),
        binary,
    )
}

const HANDSHAKE: &str = r#"[{"RequestServerInfo":{"Id":1,"ClientName":"raw","ProtocolVersionMajor":4,"ProtocolVersionMinor":0}}]"#;

#[tokio::test]
async fn replies_over_websocket_are_the_full_encoding_before_and_after_a_device_change() {
    within(async {
        let devices = devices();
        let server = Server::new(ServerConfig::default(), devices.clone());
        let (address, options, _dir) = serve_any(&server, "ws://127.0.0.1:0").await;
        let target: ConnectionUrl = address.parse().expect("url");
        let mut dialer = AnyDialer::new(&target, &options).expect("dialer");

        for binary in [false, true] {
            let mut transport = dialer.establish().await.expect("dial");
            transport
                .send(frame(HANDSHAKE, binary))
                .await
                .expect("send");
            next_frame(&mut transport).await;
            let expected = |id: u32| {
                let reply = reply(&devices, SpecVersion::V4, id);
                if binary {
                    encoded_in_full(&MsgpackSerializer, &reply)
                } else {
                    encoded_in_full(&JsonSerializer, &reply)
                }
            };
            for id in [2, 300, 70_000] {
                transport.send(request(id, binary)).await.expect("send");
                assert_eq!(next_frame(&mut transport).await, expected(id), "Id {id}");
            }
            // A new device: the list (and its encoding) is made again. Spec v4 announces it
            // with the whole list, Id 0.
            let before = expected(0);
            SimulatedDevice::add_to(&devices, SimulatedKind::Vibrator);
            let announced = next_frame(&mut transport).await;
            assert_ne!(announced, before);
            assert_eq!(announced, expected(0));
            transport.send(request(5, binary)).await.expect("send");
            assert_eq!(next_frame(&mut transport).await, expected(5));
        }
        server.shutdown().await;
    })
    .await;
}
