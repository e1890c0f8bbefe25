//! `Device`: a handle on one of the server's devices, with typed commands.

use plugwire_core::message::{
    ClientMessage, DeviceFeature, DeviceInfo, IdOnly, InputCmd, InputCommand, InputType, OutputCmd,
    OutputCommand, OutputLimits, OutputType, PositionWithDuration, ServerMessage, StopCmd,
};

use super::error::ClientError;
use super::{Client, update_devices};

/// One device of the server, as last described by it.
#[derive(Clone)]
pub struct Device {
    client: Client,
    info: DeviceInfo,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl Device {
    pub(super) fn new(client: Client, info: DeviceInfo) -> Self {
        Self { client, info }
    }

    /// The server's index for the device.
    pub fn index(&self) -> u32 {
        self.info.device_index
    }

    /// The device's name.
    pub fn name(&self) -> &str {
        &self.info.device_name
    }

    /// The full description the server sent.
    pub fn info(&self) -> &DeviceInfo {
        &self.info
    }

    /// Features with an output of `output_type`, with their limits.
    pub fn outputs(
        &self,
        output_type: OutputType,
    ) -> impl Iterator<Item = (&DeviceFeature, &OutputLimits)> {
        self.info
            .device_features
            .values()
            .filter_map(move |f| f.output.get(&output_type).map(|limits| (f, limits)))
    }

    /// Sends one output command to one feature, as is (values in the feature's steps).
    pub async fn output(
        &self,
        feature_index: u32,
        command: OutputCommand,
    ) -> Result<(), ClientError> {
        let message = ClientMessage::OutputCmd(OutputCmd {
            id: 0,
            device_index: self.index(),
            feature_index,
            command,
        });
        self.client.expect_ok(message).await
    }

    /// Sets every output of `output_type` to `level` (0.0–1.0 of each feature's range).
    pub async fn set_level(&self, output_type: OutputType, level: f64) -> Result<(), ClientError> {
        if !level.is_finite() || !(0.0..=1.0).contains(&level) {
            return Err(ClientError::InvalidLevel(level));
        }
        let targets: Vec<(u32, i32)> = self
            .outputs(output_type)
            .map(|(f, limits)| {
                (
                    f.feature_index,
                    (level * f64::from(limits.value.max)).ceil() as i32,
                )
            })
            .collect();
        if targets.is_empty() {
            return Err(ClientError::NoSuchOutput {
                device: self.index(),
                output: output_type,
            });
        }
        for (feature, steps) in targets {
            self.output(feature, OutputCommand::new(output_type, steps))
                .await?;
        }
        Ok(())
    }

    /// Vibrates every vibrator at `level` (0.0–1.0).
    pub async fn vibrate(&self, level: f64) -> Result<(), ClientError> {
        self.set_level(OutputType::Vibrate, level).await
    }

    /// Rotates every rotator at `level` (0.0–1.0), clockwise or not.
    pub async fn rotate(&self, level: f64, clockwise: bool) -> Result<(), ClientError> {
        if !level.is_finite() || !(0.0..=1.0).contains(&level) {
            return Err(ClientError::InvalidLevel(level));
        }
        let signed = if clockwise { level } else { -level };
        let targets: Vec<(u32, i32)> = self
            .outputs(OutputType::Rotate)
            .map(|(f, limits)| {
                (
                    f.feature_index,
                    (signed * f64::from(limits.value.max)).round() as i32,
                )
            })
            .collect();
        if targets.is_empty() {
            return Err(ClientError::NoSuchOutput {
                device: self.index(),
                output: OutputType::Rotate,
            });
        }
        for (feature, steps) in targets {
            self.output(feature, OutputCommand::new(OutputType::Rotate, steps))
                .await?;
        }
        Ok(())
    }

    /// Moves every linear actuator to `position` (0.0–1.0) over `duration_ms`.
    pub async fn move_to(&self, position: f64, duration_ms: u32) -> Result<(), ClientError> {
        if !position.is_finite() || !(0.0..=1.0).contains(&position) {
            return Err(ClientError::InvalidLevel(position));
        }
        let targets: Vec<(u32, i32)> = self
            .outputs(OutputType::HwPositionWithDuration)
            .map(|(f, limits)| {
                (
                    f.feature_index,
                    (position * f64::from(limits.value.max)).round() as i32,
                )
            })
            .collect();
        if targets.is_empty() {
            return Err(ClientError::NoSuchOutput {
                device: self.index(),
                output: OutputType::HwPositionWithDuration,
            });
        }
        for (feature, value) in targets {
            let command = OutputCommand::HwPositionWithDuration(PositionWithDuration {
                value,
                duration: duration_ms,
            });
            self.output(feature, command).await?;
        }
        Ok(())
    }

    fn input_feature(&self, input_type: InputType) -> Result<u32, ClientError> {
        self.info
            .device_features
            .values()
            .find(|f| f.input.contains_key(&input_type))
            .map(|f| f.feature_index)
            .ok_or(ClientError::NoSuchInput {
                device: self.index(),
                input: input_type,
            })
    }

    /// Reads the first input of `input_type`.
    pub async fn read(&self, input_type: InputType) -> Result<i32, ClientError> {
        let feature_index = self.input_feature(input_type)?;
        self.read_feature(feature_index, input_type).await
    }

    /// Reads the input of `input_type` on one feature.
    pub async fn read_feature(
        &self,
        feature_index: u32,
        input_type: InputType,
    ) -> Result<i32, ClientError> {
        let reply = self
            .client
            .request(ClientMessage::InputCmd(InputCmd {
                id: 0,
                device_index: self.index(),
                feature_index,
                input_type,
                command: InputCommand::Read,
            }))
            .await?;
        match reply {
            ServerMessage::InputReading(reading) => Ok(reading.reading.value()),
            other => Err(ClientError::UnexpectedReply(format!("{other:?}"))),
        }
    }

    /// The client this device belongs to.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Reads the battery level (in the feature's range, usually 0–100).
    pub async fn battery(&self) -> Result<i32, ClientError> {
        self.read(InputType::Battery).await
    }

    /// Subscribes to (or, with `false`, unsubscribes from) the first input of `input_type`;
    /// readings arrive as [`super::ClientEvent::InputReading`].
    pub async fn subscribe(
        &self,
        input_type: InputType,
        subscribe: bool,
    ) -> Result<(), ClientError> {
        let feature_index = self.input_feature(input_type)?;
        let command = if subscribe {
            InputCommand::Subscribe
        } else {
            InputCommand::Unsubscribe
        };
        self.client
            .expect_ok(ClientMessage::InputCmd(InputCmd {
                id: 0,
                device_index: self.index(),
                feature_index,
                input_type,
                command,
            }))
            .await
    }

    /// Stops every output of the device.
    pub async fn stop(&self) -> Result<(), ClientError> {
        self.client
            .expect_ok(ClientMessage::StopCmd(StopCmd {
                id: 0,
                device_index: Some(self.index()),
                feature_index: None,
                inputs: false,
                outputs: true,
            }))
            .await
    }
}

/// A client hands out handles to the devices its server last reported.
impl Client {
    /// The devices the server has, as last reported.
    pub fn devices(&self) -> Vec<Device> {
        self.inner
            .devices
            .lock()
            .values()
            .map(|info| Device::new(self.clone(), info.clone()))
            .collect()
    }

    /// The device at `index`, if the server has it.
    pub fn device(&self, index: u32) -> Result<Device, ClientError> {
        self.inner
            .devices
            .lock()
            .get(&index)
            .map(|info| Device::new(self.clone(), info.clone()))
            .ok_or(ClientError::UnknownDevice(index))
    }

    /// Asks the server for its device list and updates [`Self::devices`].
    pub async fn refresh_devices(&self) -> Result<Vec<Device>, ClientError> {
        match self
            .request(ClientMessage::RequestDeviceList(IdOnly { id: 0 }))
            .await?
        {
            ServerMessage::DeviceList(list) => {
                update_devices(&self.inner, list.devices);
                Ok(self.devices())
            }
            other => Err(ClientError::UnexpectedReply(format!("{other:?}"))),
        }
    }
}
