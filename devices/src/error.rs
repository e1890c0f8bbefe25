//! [`DeviceError`]: why the device manager refused or failed a command, with a case for each
//! decision a caller makes on it, and the one place it becomes the wire's error.

use std::sync::Arc;

use plugwire_core::message::{InputCommand, InputType, OutputType, Range};
use plugwire_core::{ErrorCode, ErrorReply};

use crate::hardware::HardwareError;

/// A command the device manager refused, or a device failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceError {
    /// No device has this index (never had, or it went away).
    #[error("no device with index {0}")]
    UnknownDevice(u32),
    /// The device has no feature with this index.
    #[error("device {device} has no feature {feature}")]
    UnknownFeature {
        /// Device index.
        device: u32,
        /// Feature index asked for.
        feature: u32,
    },
    /// The feature has no output of this type.
    #[error("feature {feature} of device {device} has no {output_type:?} output")]
    NoSuchOutput {
        /// Device index.
        device: u32,
        /// Feature index.
        feature: u32,
        /// Output asked for.
        output_type: OutputType,
    },
    /// The feature has no input of this type.
    #[error("feature {feature} of device {device} has no {input_type:?} input")]
    NoSuchInput {
        /// Device index.
        device: u32,
        /// Feature index.
        feature: u32,
        /// Input asked for.
        input_type: InputType,
    },
    /// The input exists but does not take this command (a subscription to a read-only input).
    #[error(
        "{input_type:?} input of feature {feature} of device {device} does not support {command:?}"
    )]
    InputCommandUnsupported {
        /// Device index.
        device: u32,
        /// Feature index.
        feature: u32,
        /// The input.
        input_type: InputType,
        /// The command it does not take.
        command: InputCommand,
    },
    /// A value outside the output's range.
    #[error("{output_type:?} value {value} is outside {}..={}", range.min, range.max)]
    OutOfRange {
        /// The output.
        output_type: OutputType,
        /// The value given.
        value: i32,
        /// What the output takes.
        range: Range,
    },
    /// A movement duration outside what the output takes.
    #[error("duration {duration} is outside {}..={}", range.min, range.max)]
    DurationOutOfRange {
        /// The duration given, in milliseconds.
        duration: u32,
        /// What the output takes.
        range: Range,
    },
    /// The server is shutting down: it obeys no output command any more.
    #[error("the server is shutting down; no command is obeyed any more")]
    ShuttingDown,
    /// A stop naming a feature but no device.
    #[error("FeatureIndex given without DeviceIndex")]
    FeatureWithoutDevice,
    /// The hardware failed the command (it disconnected, timed out, answered nonsense).
    #[error("device {device} failed")]
    Hardware {
        /// Device index.
        device: u32,
        /// What the hardware reported.
        #[source]
        source: HardwareError,
    },
    /// A command was accepted but its bytes could not be written to the device (after the
    /// task's retries), or the device went away before they were.
    #[error("device {device} did not take the command")]
    NotWritten {
        /// Device index.
        device: u32,
        /// Why the write failed (shared by every command that waited on that write).
        #[source]
        source: Arc<HardwareError>,
    },
}

impl DeviceError {
    /// The wire's error code for it: 3 for a malformed request, 4 for everything about
    /// devices.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::FeatureWithoutDevice => ErrorCode::Message,
            _ => ErrorCode::Device,
        }
    }
}

/// How a device error travels to a client: its code, and a message naming the cause.
impl From<DeviceError> for ErrorReply {
    fn from(error: DeviceError) -> Self {
        let message = match &error {
            DeviceError::Hardware { source, .. } => format!("{error}: {source}"),
            DeviceError::NotWritten { source, .. } => format!("{error}: {source}"),
            _ => error.to_string(),
        };
        ErrorReply::new(error.code(), message)
    }
}
