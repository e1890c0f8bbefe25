//! The JSON the REST API answers and streams: devices (as the reference REST API lists them,
//! plus each output's current level), outputs set, input readings.

use std::collections::BTreeMap;

use plugwire_core::message::{DeviceFeature, DeviceInfo, InputType, OutputType, Range};
use plugwire_devices::{DeviceManager, OutputChange};
use serde::Serialize;

use super::level::step_to_level;

/// One device: `index`, `name`, `display_name` and `features` (the v4 `DeviceList` form, with
/// every output's and input's range), and `levels`: each output's current step by feature
/// index and output type (absent until something set it).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DeviceView {
    pub(crate) index: u32,
    pub(crate) name: String,
    pub(crate) display_name: Option<String>,
    pub(crate) features: BTreeMap<u32, DeviceFeature>,
    pub(crate) levels: BTreeMap<u32, BTreeMap<OutputType, i32>>,
}

impl DeviceView {
    /// The device as listed, with the levels the manager last set.
    pub(crate) fn of(info: DeviceInfo, devices: &DeviceManager) -> Self {
        let mut levels: BTreeMap<u32, BTreeMap<OutputType, i32>> = BTreeMap::new();
        for ((feature, output_type), value) in devices.output_levels(info.device_index) {
            levels
                .entry(feature)
                .or_default()
                .insert(output_type, value);
        }
        Self {
            index: info.device_index,
            name: info.device_name,
            display_name: info.device_display_name,
            features: info.device_features,
            levels,
        }
    }
}

/// Every device, keyed by device index (the `GET devices` body).
pub(crate) fn device_list(devices: &DeviceManager) -> BTreeMap<u32, DeviceView> {
    devices
        .devices()
        .into_iter()
        .map(|info| (info.device_index, DeviceView::of(info, devices)))
        .collect()
}

/// An output's level: its step and the fraction of its range that is.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OutputView {
    pub(crate) device: u32,
    pub(crate) feature: u32,
    #[serde(rename = "type")]
    pub(crate) output_type: OutputType,
    pub(crate) value: i32,
    pub(crate) level: f64,
}

impl OutputView {
    /// The change as a view; the fraction needs the output's range, so a change on a device
    /// already gone reports its step alone as a level of 0.
    pub(crate) fn of_change(change: &OutputChange, devices: &DeviceManager) -> Self {
        let range = devices
            .device(change.device_index)
            .and_then(|info| output_range(&info, change.feature_index, change.output_type));
        Self {
            device: change.device_index,
            feature: change.feature_index,
            output_type: change.output_type,
            value: change.value,
            level: range.map_or(0.0, |range| step_to_level(change.value, range)),
        }
    }
}

/// An input's reading.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct InputView {
    pub(crate) device: u32,
    pub(crate) feature: u32,
    #[serde(rename = "type")]
    pub(crate) input_type: InputType,
    pub(crate) value: i32,
}

/// The range of one output of a device, if it has it.
pub(crate) fn output_range(
    info: &DeviceInfo,
    feature: u32,
    output_type: OutputType,
) -> Option<Range> {
    info.feature(feature)?
        .output
        .get(&output_type)
        .map(|limits| limits.value)
}
