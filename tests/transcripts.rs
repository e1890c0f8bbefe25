//! Full command transcripts over a real WebSocket, one per spec version, with the exact JSON
//! each version's clients send and expect.

mod common;

use common::{RawClient, TestServer, assert_error, assert_ok, within};
use plugwire::core::message::OutputType;
use serde_json::json;

#[tokio::test]
async fn v4_transcript() {
    within(async {
        let server = TestServer::start().await;
        let mut client = RawClient::connect(server.addr).await;
        assert_eq!(
            client.handshake_v4().await,
            json!([{"ServerInfo": {"Id": 1, "MaxPingTime": 0, "ProtocolVersionMajor": 4, "ProtocolVersionMinor": 0, "ServerName": "plugwire"}}])
        );
        let list = client.request(r#"[{"RequestDeviceList":{"Id":2}}]"#).await;
        let devices = &list[0]["DeviceList"]["Devices"];
        assert_eq!(list[0]["DeviceList"]["Id"], 2);
        assert_eq!(devices["0"]["DeviceName"], "plugwire Simulated Vibrator");
        assert_eq!(
            devices["0"]["DeviceFeatures"]["0"],
            json!({"FeatureIndex": 0, "FeatureDescription": "Clitoral Stimulator", "Output": {"Vibrate": {"Value": [0, 20]}}})
        );
        assert_eq!(
            devices["0"]["DeviceFeatures"]["2"]["Input"],
            json!({"Battery": {"Value": [[0, 100]], "Command": ["Read", "Subscribe"]}})
        );
        assert_eq!(devices["1"]["DeviceFeatures"]["0"]["Output"]["HwPositionWithDuration"]["Duration"], json!([0, 100000]));

        assert_ok(&client.request(r#"[{"StartScanning":{"Id":3}}]"#).await, 3);
        assert_eq!(client.next_json().await, json!([{"ScanningFinished": {"Id": 0}}]));

        let vibrate = r#"[{"OutputCmd":{"Id":4,"DeviceIndex":0,"FeatureIndex":1,"Command":{"Vibrate":{"Value":10}}}}]"#;
        assert_ok(&client.request(vibrate).await, 4);
        assert_eq!(server.vibrator.state().output(1, OutputType::Vibrate), 10);

        let stroke = r#"[{"OutputCmd":{"Id":5,"DeviceIndex":1,"FeatureIndex":0,"Command":{"HwPositionWithDuration":{"Value":91,"Duration":150}}}}]"#;
        assert_ok(&client.request(stroke).await, 5);
        assert_eq!(server.stroker.state().output(0, OutputType::HwPositionWithDuration), 91);

        let rotate = r#"[{"OutputCmd":{"Id":6,"DeviceIndex":2,"FeatureIndex":0,"Command":{"Rotate":{"Value":-7}}}}]"#;
        assert_ok(&client.request(rotate).await, 6);
        assert_eq!(server.rotator.state().output(0, OutputType::Rotate), -7);

        let battery = r#"[{"InputCmd":{"Id":7,"DeviceIndex":0,"FeatureIndex":2,"Type":"Battery","Command":"Read"}}]"#;
        assert_eq!(
            client.request(battery).await,
            json!([{"InputReading": {"Id": 7, "DeviceIndex": 0, "FeatureIndex": 2, "Reading": {"Battery": {"Value": 87}}}}])
        );

        let subscribe = r#"[{"InputCmd":{"Id":8,"DeviceIndex":0,"FeatureIndex":2,"Type":"Battery","Command":"Subscribe"}}]"#;
        assert_ok(&client.request(subscribe).await, 8);
        server.vibrator.set_battery(42);
        assert_eq!(
            client.next_json().await,
            json!([{"InputReading": {"Id": 0, "DeviceIndex": 0, "FeatureIndex": 2, "Reading": {"Battery": {"Value": 42}}}}])
        );

        assert_ok(&client.request(r#"[{"StopCmd":{"Id":9,"DeviceIndex":0}}]"#).await, 9);
        assert_eq!(server.vibrator.state().output(1, OutputType::Vibrate), 0);

        // Several messages in one array are answered in one array, in order.
        let batch = client
            .request(r#"[{"Ping":{"Id":10}},{"RequestDeviceList":{"Id":11}},{"StopCmd":{"Id":12}}]"#)
            .await;
        assert_error(&json!([batch[0]]), 10, 2); // ping is disabled by default
        assert_eq!(batch[1]["DeviceList"]["Id"], 11);
        assert_eq!(batch[2], json!({"Ok": {"Id": 12}}));

        assert_ok(&client.request(r#"[{"Disconnect":{"Id":13}}]"#).await, 13);
        client.expect_close().await;
    })
    .await;
}

#[tokio::test]
async fn v3_transcript() {
    within(async {
        let server = TestServer::start().await;
        let mut client = RawClient::connect(server.addr).await;
        assert_eq!(
            client.request(r#"[{"RequestServerInfo":{"Id":1,"ClientName":"py","MessageVersion":3}}]"#).await,
            json!([{"ServerInfo": {"Id": 1, "MaxPingTime": 0, "MessageVersion": 3, "ServerName": "plugwire"}}])
        );
        let list = client.request(r#"[{"RequestDeviceList":{"Id":2}}]"#).await;
        let devices = list[0]["DeviceList"]["Devices"].as_array().expect("v3 lists are arrays").clone();
        assert_eq!(devices.len(), 3);
        assert_eq!(
            devices[0],
            json!({"DeviceIndex": 0, "DeviceName": "plugwire Simulated Vibrator", "DeviceMessageTimingGap": 0,
                "DeviceMessages": {
                    "ScalarCmd": [
                        {"ActuatorType": "Vibrate", "FeatureDescriptor": "Clitoral Stimulator", "StepCount": 20},
                        {"ActuatorType": "Vibrate", "FeatureDescriptor": "Insertable Vibrator", "StepCount": 20}],
                    "SensorReadCmd": [{"FeatureDescriptor": "Battery", "SensorType": "Battery", "SensorRange": [[0, 100]]}],
                    "SensorSubscribeCmd": [{"FeatureDescriptor": "Battery", "SensorType": "Battery", "SensorRange": [[0, 100]]}],
                    "StopDeviceCmd": {}}})
        );
        assert_eq!(
            devices[1]["DeviceMessages"]["LinearCmd"],
            json!([{"ActuatorType": "Position", "FeatureDescriptor": "Stroker", "StepCount": 100}])
        );
        assert_eq!(
            devices[2]["DeviceMessages"]["RotateCmd"],
            json!([{"ActuatorType": "Rotate", "FeatureDescriptor": "Rotator", "StepCount": 20}])
        );

        let scalar = r#"[{"ScalarCmd":{"Id":3,"DeviceIndex":0,"Scalars":[{"Index":1,"Scalar":0.5,"ActuatorType":"Vibrate"}]}}]"#;
        assert_ok(&client.request(scalar).await, 3);
        assert_eq!(server.vibrator.state().output(1, OutputType::Vibrate), 10);

        let linear = r#"[{"LinearCmd":{"Id":4,"DeviceIndex":1,"Vectors":[{"Index":0,"Duration":500,"Position":0.3}]}}]"#;
        assert_ok(&client.request(linear).await, 4);
        assert_eq!(server.stroker.state().output(0, OutputType::HwPositionWithDuration), 30);

        let rotate = r#"[{"RotateCmd":{"Id":5,"DeviceIndex":2,"Rotations":[{"Index":0,"Speed":0.5,"Clockwise":false}]}}]"#;
        assert_ok(&client.request(rotate).await, 5);
        assert_eq!(server.rotator.state().output(0, OutputType::Rotate), -10);

        let sensor = r#"[{"SensorReadCmd":{"Id":6,"DeviceIndex":0,"SensorIndex":0,"SensorType":"Battery"}}]"#;
        assert_eq!(
            client.request(sensor).await,
            json!([{"SensorReading": {"Id": 6, "DeviceIndex": 0, "SensorIndex": 0, "SensorType": "Battery", "Data": [87]}}])
        );

        let vibrate = r#"[{"VibrateCmd":{"Id":7,"DeviceIndex":0,"Speeds":[{"Index":0,"Speed":1.0}]}}]"#;
        assert_ok(&client.request(vibrate).await, 7);
        assert_eq!(server.vibrator.state().output(0, OutputType::Vibrate), 20);

        assert_ok(&client.request(r#"[{"StopDeviceCmd":{"Id":8,"DeviceIndex":0}}]"#).await, 8);
        assert!(server.vibrator.state().is_idle());
        assert_ok(&client.request(r#"[{"StopAllDevices":{"Id":9}}]"#).await, 9);
        assert!(server.rotator.state().is_idle());

        // v4 messages are not part of v3.
        let output = r#"[{"OutputCmd":{"Id":10,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Vibrate":{"Value":1}}}}]"#;
        assert_error(&client.request(output).await, 10, 3);
    })
    .await;
}

#[tokio::test]
async fn v0_transcript() {
    within(async {
        let server = TestServer::start().await;
        let mut client = RawClient::connect(server.addr).await;
        assert_eq!(
            client.request(r#"[{"RequestServerInfo":{"Id":1,"ClientName":"old"}}]"#).await,
            json!([{"ServerInfo": {"BuildVersion": 0, "Id": 1, "MajorVersion": 0, "MaxPingTime": 0, "MessageVersion": 0, "MinorVersion": 0, "ServerName": "plugwire"}}])
        );
        let list = client.request(r#"[{"RequestDeviceList":{"Id":2}}]"#).await;
        assert_eq!(
            list,
            json!([{"DeviceList": {"Id": 2, "Devices": [
                {"DeviceIndex": 0, "DeviceName": "plugwire Simulated Vibrator", "DeviceMessages": ["SingleMotorVibrateCmd", "StopDeviceCmd"]},
                {"DeviceIndex": 1, "DeviceName": "plugwire Simulated Stroker", "DeviceMessages": ["FleshlightLaunchFW12Cmd", "StopDeviceCmd"]},
                {"DeviceIndex": 2, "DeviceName": "plugwire Simulated Rotator", "DeviceMessages": ["StopDeviceCmd", "VorzeA10CycloneCmd"]}]}}])
        );
        assert_ok(&client.request(r#"[{"SingleMotorVibrateCmd":{"Id":3,"DeviceIndex":0,"Speed":0.5}}]"#).await, 3);
        let state = server.vibrator.state();
        assert_eq!((state.output(0, OutputType::Vibrate), state.output(1, OutputType::Vibrate)), (10, 10));

        assert_ok(&client.request(r#"[{"FleshlightLaunchFW12Cmd":{"Id":4,"DeviceIndex":1,"Position":99,"Speed":99}}]"#).await, 4);
        assert_eq!(server.stroker.state().output(0, OutputType::HwPositionWithDuration), 100);

        assert_ok(&client.request(r#"[{"VorzeA10CycloneCmd":{"Id":5,"DeviceIndex":2,"Speed":99,"Clockwise":true}}]"#).await, 5);
        assert_eq!(server.rotator.state().output(0, OutputType::Rotate), 20);

        assert_ok(&client.request(r#"[{"LovenseCmd":{"Id":6,"DeviceIndex":0,"Command":"Vibrate:5;"}}]"#).await, 6);
        assert_eq!(server.vibrator.state().output(0, OutputType::Vibrate), 5);

        assert_eq!(
            client.request(r#"[{"Test":{"Id":7,"TestString":"echo"}}]"#).await,
            json!([{"Test": {"Id": 7, "TestString": "echo"}}])
        );
        assert_ok(&client.request(r#"[{"StopDeviceCmd":{"Id":8,"DeviceIndex":0}}]"#).await, 8);
        assert!(server.vibrator.state().is_idle());
        assert_ok(&client.request(r#"[{"RequestLog":{"Id":10,"LogLevel":"Off"}}]"#).await, 10);
        assert_error(&client.request(r#"[{"RequestLog":{"Id":11,"LogLevel":"Debug"}}]"#).await, 11, 3);

        // Newer messages are not part of v0.
        let scalar = r#"[{"VibrateCmd":{"Id":9,"DeviceIndex":0,"Speeds":[{"Index":0,"Speed":0.5}]}}]"#;
        assert_error(&client.request(scalar).await, 9, 3);
    })
    .await;
}

#[tokio::test]
async fn v1_and_v2_device_descriptions_and_readings() {
    within(async {
        let server = TestServer::start().await;
        let mut v1 = RawClient::connect(server.addr).await;
        v1.request(r#"[{"RequestServerInfo":{"Id":1,"ClientName":"v1","MessageVersion":1}}]"#).await;
        let list = v1.request(r#"[{"RequestDeviceList":{"Id":2}}]"#).await;
        assert_eq!(
            list[0]["DeviceList"]["Devices"][0]["DeviceMessages"],
            json!({"SingleMotorVibrateCmd": {}, "StopDeviceCmd": {}, "VibrateCmd": {"FeatureCount": 2}})
        );

        let mut v2 = RawClient::connect(server.addr).await;
        let info = v2.request(r#"[{"RequestServerInfo":{"Id":1,"ClientName":"v2","MessageVersion":2}}]"#).await;
        assert_eq!(info, json!([{"ServerInfo": {"Id": 1, "MaxPingTime": 0, "MessageVersion": 2, "ServerName": "plugwire"}}]));
        let list = v2.request(r#"[{"RequestDeviceList":{"Id":2}}]"#).await;
        assert_eq!(
            list[0]["DeviceList"]["Devices"][0]["DeviceMessages"],
            json!({"BatteryLevelCmd": {}, "StopDeviceCmd": {}, "VibrateCmd": {"FeatureCount": 2, "StepCount": [20, 20]}})
        );
        assert_eq!(
            v2.request(r#"[{"BatteryLevelCmd":{"Id":3,"DeviceIndex":0}}]"#).await,
            json!([{"BatteryLevelReading": {"Id": 3, "DeviceIndex": 0, "BatteryLevel": 0.87}}])
        );
        // Raw access is refused, with the request's Id.
        let raw = r#"[{"RawWriteCmd":{"Id":4,"DeviceIndex":0,"Endpoint":"tx","Data":[1],"WriteWithResponse":false}}]"#;
        assert_error(&v2.request(raw).await, 4, 4);
    })
    .await;
}
