//! Real Lovense models, identified on recording hardware and served over a real WebSocket:
//! what each spec version's `DeviceAdded` / `DeviceList` says about them, checked against the
//! device database (`devices/src/config/buttplug-device-config-v5.json`).
//!
//! What the database gives these three models:
//!
//! | model (code) | features |
//! |---|---|
//! | Lovense Edge (`P`) | 0, 1: vibrate 0..20; 2 "battery Level": battery [[0, 100]], Read |
//! | Lovense Nora (`A`) | 0: vibrate 0..20; 1: rotate -20..20; 2: battery as above |
//! | Lovense Solace Pro (`BA`) | 0 "Stroker position Based Movement": oscillate 0..20 and hw_position_with_duration 0..100 over 0..100000 ms; 1: battery as above |
//!
//! The database names no message gap for Lovense, so the protocol's own (50 ms) is listed.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;

use common::{RawClient, within};
use plugwire::devices::config::DeviceConfig;
use plugwire::devices::recording::RecordingHardware;
use plugwire::devices::{DeviceManager, attach};
use plugwire::json::JsonSerializer;
use plugwire::server::{Server, ServerConfig};
use plugwire::websocket::{WebSocketListener, WebSocketOptions};
use serde_json::{Value, json};

/// The models attached in every test, in this order (so at device indexes 0, 1, 2): the
/// advertised name and the `DeviceType;` answer that identifies the model.
const MODELS: [(&str, &[u8]); 3] = [
    ("LVS-P36", b"P:02:0082059AD3BD;"),
    ("LVS-A011", b"A:11:0082059AD3BE;"),
    ("LVS-BA01", b"BA:01:0082059AD3BF;"),
];

/// The database's message gap for these models: none, so the Lovense protocol's.
const LOVENSE_GAP_MS: u32 = 50;

/// A server over an empty device manager, on a free loopback port.
async fn serve() -> (Arc<DeviceManager>, SocketAddr) {
    let manager = Arc::new(DeviceManager::new());
    let server = Server::new(ServerConfig::default(), manager.clone());
    let listener = WebSocketListener::bind("127.0.0.1:0", WebSocketOptions::default())
        .await
        .expect("bind loopback");
    let addr = listener.local_addr();
    tokio::spawn(async move { server.listen(listener, JsonSerializer).await });
    (manager, addr)
}

/// Attaches the `n`th of [`MODELS`] as a real Lovense device; returns its index and the
/// hardware, which records every write.
async fn attach_model(manager: &Arc<DeviceManager>, n: usize) -> (u32, Arc<RecordingHardware>) {
    let (name, device_type) = MODELS[n];
    let hardware = Arc::new(RecordingHardware::new(name));
    hardware.reply_to(b"DeviceType;", device_type);
    let index = attach(
        manager,
        &DeviceConfig::builtin(),
        "lovense",
        hardware.clone(),
    )
    .await
    .expect("attach a Lovense");
    (index, hardware)
}

/// Connects, handshakes with `request_server_info`, then attaches the three models one by one,
/// returning each announcement the client got (`DeviceAdded`, or a v4 `DeviceList` with Id 0)
/// and finally the answer to `RequestDeviceList`.
async fn announcements_and_list(request_server_info: &str) -> (Vec<Value>, Value) {
    let (manager, addr) = serve().await;
    let mut client = RawClient::connect(addr).await;
    let info = client.request(request_server_info).await;
    assert!(
        info[0]["ServerInfo"].is_object(),
        "handshake failed: {info}"
    );
    let mut announcements = Vec::new();
    for n in 0..MODELS.len() {
        let (index, _) = attach_model(&manager, n).await;
        assert_eq!(index as usize, n, "devices are indexed in attach order");
        // Waiting for each announcement before the next attach keeps them one device apart.
        announcements.push(client.next_json().await);
    }
    let list = client.request(r#"[{"RequestDeviceList":{"Id":7}}]"#).await;
    (announcements, list)
}

/// `device` (a listed device) as a `DeviceAdded` event.
fn device_added(device: &Value) -> Value {
    let mut added = device.clone();
    added["Id"] = json!(0);
    json!([{ "DeviceAdded": added }])
}

/// Checks a v0–v3 session's announcements and list against `expected`, one per model.
async fn assert_legacy_listing(request_server_info: &str, expected: [Value; 3]) {
    let (announcements, list) = announcements_and_list(request_server_info).await;
    for (announcement, device) in announcements.iter().zip(&expected) {
        assert_eq!(announcement, &device_added(device));
    }
    assert_eq!(
        list,
        json!([{"DeviceList": {"Id": 7, "Devices": expected}}])
    );
}

fn battery(feature_index: u32) -> Value {
    json!({"FeatureIndex": feature_index, "FeatureDescription": "battery Level",
        "Input": {"Battery": {"Value": [[0, 100]], "Command": ["Read"]}}})
}

fn v4_devices() -> [Value; 3] {
    [
        json!({"DeviceIndex": 0, "DeviceName": "Lovense Edge", "DeviceMessageTimingGap": LOVENSE_GAP_MS,
            "DeviceFeatures": {
                "0": {"FeatureIndex": 0, "FeatureDescription": "", "Output": {"Vibrate": {"Value": [0, 20]}}},
                "1": {"FeatureIndex": 1, "FeatureDescription": "", "Output": {"Vibrate": {"Value": [0, 20]}}},
                "2": battery(2)}}),
        json!({"DeviceIndex": 1, "DeviceName": "Lovense Nora", "DeviceMessageTimingGap": LOVENSE_GAP_MS,
            "DeviceFeatures": {
                "0": {"FeatureIndex": 0, "FeatureDescription": "", "Output": {"Vibrate": {"Value": [0, 20]}}},
                "1": {"FeatureIndex": 1, "FeatureDescription": "", "Output": {"Rotate": {"Value": [-20, 20]}}},
                "2": battery(2)}}),
        json!({"DeviceIndex": 2, "DeviceName": "Lovense Solace Pro", "DeviceMessageTimingGap": LOVENSE_GAP_MS,
            "DeviceFeatures": {
                "0": {"FeatureIndex": 0, "FeatureDescription": "Stroker position Based Movement", "Output": {
                    "Oscillate": {"Value": [0, 20]},
                    "HwPositionWithDuration": {"Value": [0, 100], "Duration": [0, 100000]}}},
                "1": battery(1)}}),
    ]
}

#[tokio::test]
async fn v4_lists_every_feature_range_and_input_as_the_database_gives_them() {
    within(async {
        let (announcements, list) = announcements_and_list(
            r#"[{"RequestServerInfo":{"Id":1,"ClientName":"v4","ProtocolVersionMajor":4,"ProtocolVersionMinor":0}}]"#,
        )
        .await;
        let devices = v4_devices();
        // v4 has no DeviceAdded: each arrival is the whole list again, with Id 0.
        for (n, announcement) in announcements.iter().enumerate() {
            let listed: serde_json::Map<String, Value> = devices[..=n]
                .iter()
                .enumerate()
                .map(|(index, device)| (index.to_string(), device.clone()))
                .collect();
            assert_eq!(
                announcement,
                &json!([{"DeviceList": {"Id": 0, "Devices": listed}}])
            );
        }
        assert_eq!(
            list,
            json!([{"DeviceList": {"Id": 7, "Devices": {"0": devices[0], "1": devices[1], "2": devices[2]}}}])
        );
    })
    .await;
}

#[tokio::test]
async fn v3_lists_scalars_rotations_moves_and_sensors_with_their_steps() {
    let battery = json!([{"FeatureDescriptor": "battery Level", "SensorType": "Battery", "SensorRange": [[0, 100]]}]);
    let vibrator = json!({"ActuatorType": "Vibrate", "FeatureDescriptor": "", "StepCount": 20});
    within(assert_legacy_listing(
        r#"[{"RequestServerInfo":{"Id":1,"ClientName":"v3","MessageVersion":3}}]"#,
        [
            json!({"DeviceIndex": 0, "DeviceName": "Lovense Edge", "DeviceMessageTimingGap": LOVENSE_GAP_MS,
                "DeviceMessages": {
                    "ScalarCmd": [vibrator, vibrator],
                    "SensorReadCmd": battery,
                    "StopDeviceCmd": {}}}),
            // The rotator turns both ways: RotateCmd, and ScalarCmd too (as Buttplug lists it).
            json!({"DeviceIndex": 1, "DeviceName": "Lovense Nora", "DeviceMessageTimingGap": LOVENSE_GAP_MS,
                "DeviceMessages": {
                    "ScalarCmd": [vibrator, {"ActuatorType": "Rotate", "FeatureDescriptor": "", "StepCount": 20}],
                    "RotateCmd": [{"ActuatorType": "Rotate", "FeatureDescriptor": "", "StepCount": 20}],
                    "SensorReadCmd": battery,
                    "StopDeviceCmd": {}}}),
            // One feature, two outputs: oscillation through ScalarCmd, moves through LinearCmd.
            json!({"DeviceIndex": 2, "DeviceName": "Lovense Solace Pro", "DeviceMessageTimingGap": LOVENSE_GAP_MS,
                "DeviceMessages": {
                    "ScalarCmd": [{"ActuatorType": "Oscillate", "FeatureDescriptor": "Stroker position Based Movement", "StepCount": 20}],
                    "LinearCmd": [{"ActuatorType": "Position", "FeatureDescriptor": "Stroker position Based Movement", "StepCount": 100}],
                    "SensorReadCmd": battery,
                    "StopDeviceCmd": {}}}),
        ],
    ))
    .await;
}

#[tokio::test]
async fn v2_lists_generic_commands_with_feature_and_step_counts() {
    within(assert_legacy_listing(
        r#"[{"RequestServerInfo":{"Id":1,"ClientName":"v2","MessageVersion":2}}]"#,
        [
            json!({"DeviceIndex": 0, "DeviceName": "Lovense Edge", "DeviceMessages": {
                "BatteryLevelCmd": {},
                "StopDeviceCmd": {},
                "VibrateCmd": {"FeatureCount": 2, "StepCount": [20, 20]}}}),
            json!({"DeviceIndex": 1, "DeviceName": "Lovense Nora", "DeviceMessages": {
                "BatteryLevelCmd": {},
                "RotateCmd": {"FeatureCount": 1, "StepCount": [20]},
                "StopDeviceCmd": {},
                "VibrateCmd": {"FeatureCount": 1, "StepCount": [20]}}}),
            // v2 has no way to oscillate: only the moves are offered.
            json!({"DeviceIndex": 2, "DeviceName": "Lovense Solace Pro", "DeviceMessages": {
                "BatteryLevelCmd": {},
                "LinearCmd": {"FeatureCount": 1, "StepCount": [100]},
                "StopDeviceCmd": {}}}),
        ],
    ))
    .await;
}

#[tokio::test]
async fn v1_lists_generic_commands_with_feature_counts_and_the_commands_they_replaced() {
    within(assert_legacy_listing(
        r#"[{"RequestServerInfo":{"Id":1,"ClientName":"v1","MessageVersion":1}}]"#,
        [
            json!({"DeviceIndex": 0, "DeviceName": "Lovense Edge", "DeviceMessages": {
                "SingleMotorVibrateCmd": {},
                "StopDeviceCmd": {},
                "VibrateCmd": {"FeatureCount": 2}}}),
            json!({"DeviceIndex": 1, "DeviceName": "Lovense Nora", "DeviceMessages": {
                "RotateCmd": {"FeatureCount": 1},
                "SingleMotorVibrateCmd": {},
                "StopDeviceCmd": {},
                "VibrateCmd": {"FeatureCount": 1},
                "VorzeA10CycloneCmd": {}}}),
            json!({"DeviceIndex": 2, "DeviceName": "Lovense Solace Pro", "DeviceMessages": {
                "FleshlightLaunchFW12Cmd": {},
                "LinearCmd": {"FeatureCount": 1},
                "StopDeviceCmd": {}}}),
        ],
    ))
    .await;
}

#[tokio::test]
async fn v0_lists_the_message_names_each_model_takes() {
    within(assert_legacy_listing(
        r#"[{"RequestServerInfo":{"Id":1,"ClientName":"v0"}}]"#,
        [
            json!({"DeviceIndex": 0, "DeviceName": "Lovense Edge",
                "DeviceMessages": ["SingleMotorVibrateCmd", "StopDeviceCmd"]}),
            json!({"DeviceIndex": 1, "DeviceName": "Lovense Nora",
                "DeviceMessages": ["SingleMotorVibrateCmd", "StopDeviceCmd", "VorzeA10CycloneCmd"]}),
            json!({"DeviceIndex": 2, "DeviceName": "Lovense Solace Pro",
                "DeviceMessages": ["FleshlightLaunchFW12Cmd", "StopDeviceCmd"]}),
        ],
    ))
    .await;
}

#[tokio::test]
async fn the_listed_legacy_indexes_drive_the_features_the_database_describes() {
    within(async {
        let (manager, addr) = serve().await;
        let (edge, edge_hardware) = attach_model(&manager, 0).await;
        let (nora, nora_hardware) = attach_model(&manager, 1).await;
        let mut client = RawClient::connect(addr).await;
        client
            .request(r#"[{"RequestServerInfo":{"Id":1,"ClientName":"v3","MessageVersion":3}}]"#)
            .await;

        // ScalarCmd entry 1 of the Edge is its second vibrator.
        let edge_second = format!(
            r#"[{{"ScalarCmd":{{"Id":2,"DeviceIndex":{edge},"Scalars":[{{"Index":1,"Scalar":0.5,"ActuatorType":"Vibrate"}}]}}}}]"#
        );
        assert_eq!(client.request(&edge_second).await, json!([{"Ok": {"Id": 2}}]));
        edge_hardware
            .wait_for(|w| w.iter().any(|w| w.write.data == b"Vibrate2:10;"))
            .await;

        // ScalarCmd entry 1 of the Nora is its rotator, as is RotateCmd entry 0.
        let nora_scalar = format!(
            r#"[{{"ScalarCmd":{{"Id":3,"DeviceIndex":{nora},"Scalars":[{{"Index":1,"Scalar":0.25,"ActuatorType":"Rotate"}}]}}}}]"#
        );
        assert_eq!(client.request(&nora_scalar).await, json!([{"Ok": {"Id": 3}}]));
        nora_hardware
            .wait_for(|w| w.iter().any(|w| w.write.data == b"Rotate:5;"))
            .await;
        let nora_rotate = format!(
            r#"[{{"RotateCmd":{{"Id":4,"DeviceIndex":{nora},"Rotations":[{{"Index":0,"Speed":0.5,"Clockwise":true}}]}}}}]"#
        );
        assert_eq!(client.request(&nora_rotate).await, json!([{"Ok": {"Id": 4}}]));
        nora_hardware
            .wait_for(|w| w.iter().any(|w| w.write.data == b"Rotate:10;"))
            .await;
        // Nothing was written to the Nora's vibrator.
        assert!(
            nora_hardware
                .written()
                .iter()
                .all(|data| !data.starts_with(b"Vibrate"))
        );
    })
    .await;
}

/// Devices arriving in one burst.
const BURST: usize = 300;

/// Every message of every frame `client` receives until `done` says a message is the last
/// wanted; returns how many `DeviceList`s with Id 0 came, and the last message.
async fn messages_until(client: &mut RawClient, done: impl Fn(&Value) -> bool) -> (usize, Value) {
    let mut announced_lists = 0;
    loop {
        let frame = client.next_json().await;
        for message in frame.as_array().expect("a frame is an array of messages") {
            if message["DeviceList"]["Id"] == 0 {
                announced_lists += 1;
            }
            if done(message) {
                return (announced_lists, message.clone());
            }
        }
    }
}

/// Three hundred devices arriving at once (as fake devices dialling the device WebSocket
/// server can): a v4 client connected before hears of them in a handful of whole lists, not
/// one per device (which cost one client 25.8 MB), and the last lists them all; a request
/// after it is answered with no other list in between. A v3 client still hears of each
/// device by itself, as its protocol has it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_arrivals_is_a_handful_of_v4_lists_not_one_per_device() {
    use plugwire::devices::simulated::{SimulatedDevice, SimulatedKind};
    within(async {
        let (manager, addr) = serve().await;
        let mut v4 = RawClient::connect(addr).await;
        assert!(v4.handshake_v4().await[0]["ServerInfo"].is_object());
        let mut v3 = RawClient::connect(addr).await;
        let info = v3
            .request(r#"[{"RequestServerInfo":{"Id":1,"ClientName":"v3","MessageVersion":3}}]"#)
            .await;
        assert!(info[0]["ServerInfo"].is_object());

        let _devices: Vec<_> = (0..BURST)
            .map(|_| SimulatedDevice::add_to(&manager, SimulatedKind::Vibrator))
            .collect();

        let listed = |message: &Value| {
            message["DeviceList"]["Devices"]
                .as_object()
                .map_or(0, serde_json::Map::len)
        };
        let (lists, last) = messages_until(&mut v4, |m| listed(m) == BURST).await;
        assert!(
            lists <= 5,
            "{lists} device lists for one burst of {BURST} arrivals"
        );
        assert_eq!(last["DeviceList"]["Id"], 0);
        v4.send_text(r#"[{"RequestDeviceList":{"Id":9}}]"#).await;
        let (more, reply) = messages_until(&mut v4, |m| m["DeviceList"]["Id"] == 9).await;
        assert_eq!(
            more, 0,
            "a device list after the one that listed every device"
        );
        assert_eq!(listed(&reply), BURST);

        let (_, _) = messages_until(&mut v3, {
            let added = std::cell::Cell::new(0);
            move |m| {
                if m["DeviceAdded"].is_object() {
                    added.set(added.get() + 1);
                }
                added.get() == BURST
            }
        })
        .await;
    })
    .await;
}
