//! The Buttplug device-test-case file, as buttplug-rs keeps its protocol tests: one or more
//! devices, the exchange that sets each up (`device_init`), then client messages and the exact
//! hardware commands they must cause (`device_commands`). YAML tags name the kinds of step
//! (`!Messages`, `!Commands`, `!Events`, `!VersionGated`) and of what is inside them.

use serde::Deserialize;

/// A whole test case.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TestCase {
    pub(crate) devices: Vec<TestDevice>,
    /// A database file (in the `config/` folder beside the case) instead of the built-in one.
    pub(crate) device_config_file: Option<String>,
    /// A user configuration (in the `config/` folder beside the case) for this case alone.
    pub(crate) user_device_config_file: Option<String>,
    #[serde(default)]
    pub(crate) device_init: Vec<Step>,
    #[serde(default)]
    pub(crate) device_commands: Vec<Step>,
}

/// One device of a case: how it advertises, and the name it must be listed under.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TestDevice {
    pub(crate) identifier: TestIdentifier,
    pub(crate) expected_name: Option<String>,
    pub(crate) expected_display_name: Option<String>,
}

/// What the device advertises.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TestIdentifier {
    pub(crate) name: String,
    pub(crate) address: Option<String>,
}

/// One step.
#[derive(Debug, Clone, Deserialize)]
pub(crate) enum Step {
    /// Client messages, sent one after another.
    Messages {
        device_index: u32,
        messages: Vec<ClientCommand>,
    },
    /// The hardware commands that must arrive next, in order.
    Commands {
        device_index: u32,
        commands: Vec<ExpectedCommand>,
    },
    /// What the device sends or has ready.
    Events {
        device_index: u32,
        events: Vec<DeviceEvent>,
    },
    /// Steps for clients of this spec version and newer only.
    VersionGated {
        min_spec_version: u32,
        commands: Vec<Step>,
    },
}

/// A client command, in the terms of the legacy client API the format was written for.
#[derive(Debug, Clone, Deserialize)]
pub(crate) enum ClientCommand {
    /// Vibrators by their vibrator index, speed 0.0–1.0.
    Vibrate(Vec<VibrateEntry>),
    /// Scalar actuators by their scalar index.
    Scalar(Vec<ScalarEntry>),
    /// Rotators by their rotator index.
    Rotate(Vec<RotateEntry>),
    /// Linear actuators by index: a position 0.0–1.0 reached in a duration.
    Linear(Vec<LinearEntry>),
    /// A battery read, expected to give this fraction.
    Battery {
        expected_power: f64,
        #[serde(default)]
        run_async: bool,
    },
    /// Stop the device.
    Stop,
    /// An RSSI read (no case uses it).
    #[serde(rename = "RSSI")]
    Rssi,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct VibrateEntry {
    pub(crate) index: u32,
    pub(crate) speed: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ScalarEntry {
    pub(crate) index: u32,
    pub(crate) scalar: f64,
    pub(crate) actuator_type: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct RotateEntry {
    pub(crate) index: u32,
    pub(crate) speed: f64,
    pub(crate) clockwise: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct LinearEntry {
    pub(crate) index: u32,
    pub(crate) duration: u32,
    pub(crate) position: f64,
}

/// A hardware command the device must receive.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) enum ExpectedCommand {
    Write {
        endpoint: String,
        data: Vec<u8>,
        write_with_response: bool,
    },
    Subscribe {
        endpoint: String,
    },
    Unsubscribe {
        endpoint: String,
    },
}

/// What the device does.
#[derive(Debug, Clone, Deserialize)]
pub(crate) enum DeviceEvent {
    /// Sends these on subscribed endpoints.
    Notifications(Vec<EndpointData>),
    /// Answers the next reads with these, in order.
    Reads(Vec<EndpointData>),
    /// Goes away.
    Disconnect,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct EndpointData {
    pub(crate) endpoint: String,
    pub(crate) data: Vec<u8>,
}

/// Parses a case.
pub(crate) fn parse(text: &str) -> Result<TestCase, serde_norway::Error> {
    serde_norway::from_str(text)
}
