//! How replies go out: the shared device list is renewed when devices change (for a client of
//! every spec version), pipelined requests are each answered in order, and a lone request is
//! answered without waiting for anything else.

mod common;

use common::{RawClient, TestServer, within};
use plugwire::devices::simulated::{SimulatedDevice, SimulatedKind};
use serde_json::Value;

/// A handshake for spec `version`.
fn handshake(version: u32) -> String {
    match version {
        0 => r#"[{"RequestServerInfo":{"Id":1,"ClientName":"v0"}}]"#.to_owned(),
        1..=3 => format!(
            r#"[{{"RequestServerInfo":{{"Id":1,"ClientName":"v{version}","MessageVersion":{version}}}}}]"#
        ),
        _ => r#"[{"RequestServerInfo":{"Id":1,"ClientName":"v4","ProtocolVersionMajor":4,"ProtocolVersionMinor":0}}]"#.to_owned(),
    }
}

/// Asks for the device list with `id` and returns the indexes listed, skipping device events
/// that arrive first.
async fn listed(client: &mut RawClient, id: u32) -> Vec<u64> {
    client
        .send_text(&format!(r#"[{{"RequestDeviceList":{{"Id":{id}}}}}]"#))
        .await;
    loop {
        let reply = client.next_json().await;
        let list = &reply[0]["DeviceList"];
        if list["Id"] != id {
            continue;
        }
        let devices: Vec<&Value> = match &list["Devices"] {
            Value::Array(devices) => devices.iter().collect(),
            Value::Object(devices) => devices.values().collect(),
            other => panic!("no devices in {other}"),
        };
        let mut indexes: Vec<u64> = devices
            .iter()
            .map(|d| d["DeviceIndex"].as_u64().expect("an index"))
            .collect();
        indexes.sort_unstable();
        return indexes;
    }
}

#[tokio::test]
async fn a_device_added_shows_in_the_next_list_of_every_spec_version() {
    within(async {
        let server = TestServer::start().await;
        let mut clients = Vec::new();
        for version in 0..=4 {
            let mut client = RawClient::connect(server.addr).await;
            client.request(&handshake(version)).await;
            // Twice: the second answer comes from the list built for the first.
            assert_eq!(listed(&mut client, 2).await, [0, 1, 2], "v{version}");
            assert_eq!(listed(&mut client, 3).await, [0, 1, 2], "v{version}");
            clients.push(client);
        }
        let generation = server.server.devices().generation();
        let added = SimulatedDevice::add_to(server.server.devices(), SimulatedKind::Rotator);
        assert_ne!(server.server.devices().generation(), generation);
        for (version, client) in clients.iter_mut().enumerate() {
            assert_eq!(listed(client, 4).await, [0, 1, 2, 3], "v{version}");
        }
        server
            .server
            .devices()
            .remove_device(added.index().expect("listed"));
        for (version, client) in clients.iter_mut().enumerate() {
            assert_eq!(listed(client, 5).await, [0, 1, 2], "v{version}");
        }
    })
    .await;
}

#[tokio::test]
async fn pipelined_requests_are_each_answered_in_order_and_a_lone_one_at_once() {
    within(async {
        let server = TestServer::start().await;
        let mut client = RawClient::connect(server.addr).await;
        client.handshake_v4().await;
        // 32 in flight before reading anything: replies are batched into fewer writes, but
        // each is its own frame with its own Id, in order.
        for id in 2..34 {
            client
                .send_text(&format!(r#"[{{"RequestDeviceList":{{"Id":{id}}}}}]"#))
                .await;
        }
        for id in 2..34 {
            assert_eq!(client.next_json().await[0]["DeviceList"]["Id"], id);
        }
        // One request alone is answered without a second message to push it out.
        for id in 34..40 {
            let reply = client
                .request(&format!(r#"[{{"RequestDeviceList":{{"Id":{id}}}}}]"#))
                .await;
            assert_eq!(reply[0]["DeviceList"]["Id"], id);
        }
    })
    .await;
}
