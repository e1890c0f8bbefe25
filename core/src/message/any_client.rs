//! `AnyClientMessage`: every message a client of any spec version may send, in one enum.
//!
//! A server decodes into this before it knows (or to check) the session's version, then asks
//! [`AnyClientMessage::available_in`] whether the version really has the message.

use serde::{Deserialize, Serialize};

use super::id::MessageId;
use super::legacy::*;
use super::v4::{ClientMessage, IdOnly, InputCmd, OutputCmd, StopCmd};
use super::version::SpecVersion;

/// Every client message of spec v0–v4.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum AnyClientMessage {
    RequestServerInfo(RequestServerInfoAny),
    Ping(IdOnly),
    StartScanning(IdOnly),
    StopScanning(IdOnly),
    RequestDeviceList(IdOnly),
    // v4
    StopCmd(StopCmd),
    OutputCmd(OutputCmd),
    InputCmd(InputCmd),
    Disconnect(IdOnly),
    // v0–v3
    StopAllDevices(IdOnly),
    StopDeviceCmd(DeviceOnly),
    RequestLog(RequestLog),
    Test(Test),
    SingleMotorVibrateCmd(SingleMotorVibrateCmd),
    KiirooCmd(DeviceStringCmd),
    #[serde(rename = "FleshlightLaunchFW12Cmd")]
    FleshlightLaunchFw12Cmd(FleshlightLaunchFw12Cmd),
    LovenseCmd(DeviceStringCmd),
    VorzeA10CycloneCmd(VorzeA10CycloneCmd),
    VibrateCmd(VibrateCmd),
    LinearCmd(LinearCmd),
    RotateCmd(RotateCmd),
    RawWriteCmd(RawWriteCmd),
    RawReadCmd(RawReadCmd),
    RawSubscribeCmd(RawEndpointCmd),
    RawUnsubscribeCmd(RawEndpointCmd),
    BatteryLevelCmd(DeviceOnly),
    #[serde(rename = "RSSILevelCmd")]
    RssiLevelCmd(DeviceOnly),
    ScalarCmd(ScalarCmd),
    SensorReadCmd(SensorCmd),
    SensorSubscribeCmd(SensorCmd),
    SensorUnsubscribeCmd(SensorCmd),
}

impl AnyClientMessage {
    /// The wire name of every client message of every version.
    pub const NAMES: &[&str] = &[
        "RequestServerInfo",
        "Ping",
        "StartScanning",
        "StopScanning",
        "RequestDeviceList",
        "StopCmd",
        "OutputCmd",
        "InputCmd",
        "Disconnect",
        "StopAllDevices",
        "StopDeviceCmd",
        "RequestLog",
        "Test",
        "SingleMotorVibrateCmd",
        "KiirooCmd",
        "FleshlightLaunchFW12Cmd",
        "LovenseCmd",
        "VorzeA10CycloneCmd",
        "VibrateCmd",
        "LinearCmd",
        "RotateCmd",
        "RawWriteCmd",
        "RawReadCmd",
        "RawSubscribeCmd",
        "RawUnsubscribeCmd",
        "BatteryLevelCmd",
        "RSSILevelCmd",
        "ScalarCmd",
        "SensorReadCmd",
        "SensorSubscribeCmd",
        "SensorUnsubscribeCmd",
    ];

    /// The message's name on the wire.
    pub fn name(&self) -> &'static str {
        match self {
            Self::RequestServerInfo(_) => "RequestServerInfo",
            Self::Ping(_) => "Ping",
            Self::StartScanning(_) => "StartScanning",
            Self::StopScanning(_) => "StopScanning",
            Self::RequestDeviceList(_) => "RequestDeviceList",
            Self::StopCmd(_) => "StopCmd",
            Self::OutputCmd(_) => "OutputCmd",
            Self::InputCmd(_) => "InputCmd",
            Self::Disconnect(_) => "Disconnect",
            Self::StopAllDevices(_) => "StopAllDevices",
            Self::StopDeviceCmd(_) => "StopDeviceCmd",
            Self::RequestLog(_) => "RequestLog",
            Self::Test(_) => "Test",
            Self::SingleMotorVibrateCmd(_) => "SingleMotorVibrateCmd",
            Self::KiirooCmd(_) => "KiirooCmd",
            Self::FleshlightLaunchFw12Cmd(_) => "FleshlightLaunchFW12Cmd",
            Self::LovenseCmd(_) => "LovenseCmd",
            Self::VorzeA10CycloneCmd(_) => "VorzeA10CycloneCmd",
            Self::VibrateCmd(_) => "VibrateCmd",
            Self::LinearCmd(_) => "LinearCmd",
            Self::RotateCmd(_) => "RotateCmd",
            Self::RawWriteCmd(_) => "RawWriteCmd",
            Self::RawReadCmd(_) => "RawReadCmd",
            Self::RawSubscribeCmd(_) => "RawSubscribeCmd",
            Self::RawUnsubscribeCmd(_) => "RawUnsubscribeCmd",
            Self::BatteryLevelCmd(_) => "BatteryLevelCmd",
            Self::RssiLevelCmd(_) => "RSSILevelCmd",
            Self::ScalarCmd(_) => "ScalarCmd",
            Self::SensorReadCmd(_) => "SensorReadCmd",
            Self::SensorSubscribeCmd(_) => "SensorSubscribeCmd",
            Self::SensorUnsubscribeCmd(_) => "SensorUnsubscribeCmd",
        }
    }

    /// The message's Id.
    pub fn id(&self) -> MessageId {
        match self {
            Self::RequestServerInfo(m) => m.id,
            Self::Ping(m)
            | Self::StartScanning(m)
            | Self::StopScanning(m)
            | Self::RequestDeviceList(m)
            | Self::Disconnect(m)
            | Self::StopAllDevices(m) => m.id,
            Self::StopCmd(m) => m.id,
            Self::OutputCmd(m) => m.id,
            Self::InputCmd(m) => m.id,
            Self::StopDeviceCmd(m) | Self::BatteryLevelCmd(m) | Self::RssiLevelCmd(m) => m.id,
            Self::RequestLog(m) => m.id,
            Self::Test(m) => m.id,
            Self::SingleMotorVibrateCmd(m) => m.id,
            Self::KiirooCmd(m) | Self::LovenseCmd(m) => m.id,
            Self::FleshlightLaunchFw12Cmd(m) => m.id,
            Self::VorzeA10CycloneCmd(m) => m.id,
            Self::VibrateCmd(m) => m.id,
            Self::LinearCmd(m) => m.id,
            Self::RotateCmd(m) => m.id,
            Self::RawWriteCmd(m) => m.id,
            Self::RawReadCmd(m) => m.id,
            Self::RawSubscribeCmd(m) | Self::RawUnsubscribeCmd(m) => m.id,
            Self::ScalarCmd(m) => m.id,
            Self::SensorReadCmd(m)
            | Self::SensorSubscribeCmd(m)
            | Self::SensorUnsubscribeCmd(m) => m.id,
        }
    }

    /// Whether a client speaking `version` may send this message.
    pub fn available_in(&self, version: SpecVersion) -> bool {
        use SpecVersion::*;
        let (first, last) = match self {
            Self::RequestServerInfo(_)
            | Self::Ping(_)
            | Self::StartScanning(_)
            | Self::StopScanning(_)
            | Self::RequestDeviceList(_) => (V0, V4),
            Self::StopCmd(_) | Self::OutputCmd(_) | Self::InputCmd(_) | Self::Disconnect(_) => {
                (V4, V4)
            }
            Self::StopAllDevices(_)
            | Self::StopDeviceCmd(_)
            | Self::SingleMotorVibrateCmd(_)
            | Self::KiirooCmd(_)
            | Self::FleshlightLaunchFw12Cmd(_)
            | Self::LovenseCmd(_)
            | Self::VorzeA10CycloneCmd(_) => (V0, V3),
            Self::RequestLog(_) | Self::Test(_) => (V0, V1),
            Self::VibrateCmd(_) | Self::LinearCmd(_) | Self::RotateCmd(_) => (V1, V3),
            Self::RawWriteCmd(_)
            | Self::RawReadCmd(_)
            | Self::RawSubscribeCmd(_)
            | Self::RawUnsubscribeCmd(_)
            | Self::BatteryLevelCmd(_)
            | Self::RssiLevelCmd(_) => (V2, V3),
            Self::ScalarCmd(_)
            | Self::SensorReadCmd(_)
            | Self::SensorSubscribeCmd(_)
            | Self::SensorUnsubscribeCmd(_) => (V3, V3),
        };
        (first..=last).contains(&version)
    }
}

impl From<ClientMessage> for AnyClientMessage {
    fn from(message: ClientMessage) -> Self {
        match message {
            ClientMessage::RequestServerInfo(m) => Self::RequestServerInfo(RequestServerInfoAny {
                id: m.id,
                client_name: m.client_name,
                message_version: None,
                protocol_version_major: Some(m.protocol_version_major),
                protocol_version_minor: Some(m.protocol_version_minor),
            }),
            ClientMessage::Ping(m) => Self::Ping(m),
            ClientMessage::StartScanning(m) => Self::StartScanning(m),
            ClientMessage::StopScanning(m) => Self::StopScanning(m),
            ClientMessage::RequestDeviceList(m) => Self::RequestDeviceList(m),
            ClientMessage::StopCmd(m) => Self::StopCmd(m),
            ClientMessage::OutputCmd(m) => Self::OutputCmd(m),
            ClientMessage::InputCmd(m) => Self::InputCmd(m),
            ClientMessage::Disconnect(m) => Self::Disconnect(m),
        }
    }
}
