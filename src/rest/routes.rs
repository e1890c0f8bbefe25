//! The `/api/v1` handlers: scanning, the device list, outputs set and stopped, inputs read.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use plugwire_core::message::{
    DeviceFeature, InputType, OutputCommand, OutputType, PositionWithDuration,
};
use plugwire_devices::{DeviceError, StopScope};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tracing::info;

use super::error::ApiError;
use super::level::{level_to_step, parse_level, step_to_level};
use super::state::Shared;
use super::view::{DeviceView, InputView, OutputView, device_list};

/// Longest a command waits for its device to write it before it is answered as failed.
const WRITE_WAIT: Duration = Duration::from_secs(10);

/// A handler's answer.
type Answer<T> = Result<Json<T>, ApiError>;

/// `GET start-scanning`: every hardware manager scans; found devices arrive as events.
pub(crate) async fn start_scanning(State(state): State<Shared>) -> Json<Value> {
    state.devices.start_scanning();
    Json(json!({ "scanning": true }))
}

/// `GET stop-scanning`.
pub(crate) async fn stop_scanning(State(state): State<Shared>) -> Json<Value> {
    state.devices.stop_scanning();
    Json(json!({ "scanning": false }))
}

/// `GET devices`: every device keyed by index.
pub(crate) async fn devices(State(state): State<Shared>) -> Json<BTreeMap<u32, DeviceView>> {
    Json(device_list(&state.devices))
}

/// `GET devices/{i}`.
pub(crate) async fn device(
    State(state): State<Shared>,
    path: Result<Path<String>, PathRejection>,
) -> Answer<DeviceView> {
    let index = device_index(&path_of(path)?)?;
    let info = state
        .devices
        .device(index)
        .ok_or(DeviceError::UnknownDevice(index))?;
    Ok(Json(DeviceView::of(info, &state.devices)))
}

/// `GET devices/{i}/features`.
pub(crate) async fn features(
    State(state): State<Shared>,
    path: Result<Path<String>, PathRejection>,
) -> Answer<BTreeMap<u32, DeviceFeature>> {
    let index = device_index(&path_of(path)?)?;
    let info = state
        .devices
        .device(index)
        .ok_or(DeviceError::UnknownDevice(index))?;
    Ok(Json(info.device_features))
}

/// `PUT devices/stop`: every output of every device, whoever drove it.
pub(crate) async fn stop_all(State(state): State<Shared>) -> Answer<Value> {
    info!("REST: stop every device");
    state.devices.stop(StopScope::default())?;
    Ok(Json(json!({ "stopped": true })))
}

/// `PUT devices/{i}/stop`.
pub(crate) async fn stop_device(
    State(state): State<Shared>,
    path: Result<Path<String>, PathRejection>,
) -> Answer<Value> {
    let index = device_index(&path_of(path)?)?;
    state.devices.stop(StopScope {
        device_index: Some(index),
        feature_index: None,
    })?;
    Ok(Json(json!({ "stopped": true })))
}

/// `PUT devices/{i}/outputs/{Type}/{level}`: every feature of the device with that output.
pub(crate) async fn device_output(
    State(state): State<Shared>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    Query(query): Query<HashMap<String, String>>,
) -> Answer<Vec<OutputView>> {
    let (index, output_type, level) = path_of(path)?;
    set_outputs(&state, &index, None, &output_type, &level, &query).await
}

/// `PUT devices/{i}/features/{f}/outputs/{Type}/{level}`.
pub(crate) async fn feature_output(
    State(state): State<Shared>,
    path: Result<Path<(String, String, String, String)>, PathRejection>,
    Query(query): Query<HashMap<String, String>>,
) -> Answer<Vec<OutputView>> {
    let (index, feature, output_type, level) = path_of(path)?;
    let feature = feature_index(&feature)?;
    set_outputs(&state, &index, Some(feature), &output_type, &level, &query).await
}

/// `GET devices/{i}/inputs/{Type}`: reads the first feature with a readable input of that type.
pub(crate) async fn device_input(
    State(state): State<Shared>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Answer<InputView> {
    let (index, input_type) = path_of(path)?;
    let index = device_index(&index)?;
    let input_type: InputType = wire_name(&input_type, "input type")?;
    let info = state
        .devices
        .device(index)
        .ok_or(DeviceError::UnknownDevice(index))?;
    let feature = info
        .device_features
        .values()
        .find(|feature| feature.input.contains_key(&input_type))
        .map(|feature| feature.feature_index)
        .ok_or_else(|| ApiError::NotFound(format!("device {index} has no {input_type:?} input")))?;
    read(&state, index, feature, input_type).await
}

/// `GET devices/{i}/features/{f}/inputs/{Type}`.
pub(crate) async fn feature_input(
    State(state): State<Shared>,
    path: Result<Path<(String, String, String)>, PathRejection>,
) -> Answer<InputView> {
    let (index, feature, input_type) = path_of(path)?;
    let index = device_index(&index)?;
    let feature = feature_index(&feature)?;
    let input_type: InputType = wire_name(&input_type, "input type")?;
    read(&state, index, feature, input_type).await
}

/// Anything else under the API: a JSON 404.
pub(crate) async fn not_found() -> ApiError {
    ApiError::NotFound("no such route; the routes are listed in the README".to_owned())
}

/// Reads an input and tells event streams what it read.
async fn read(
    state: &Shared,
    device: u32,
    feature: u32,
    input_type: InputType,
) -> Answer<InputView> {
    let value = state
        .devices
        .read_input(device, feature, input_type)
        .await?;
    let view = InputView {
        device,
        feature,
        input_type,
        value,
    };
    // No event stream open is fine.
    let _ = state.readings.send(view.clone());
    Ok(Json(view))
}

/// Sets one output type on one feature, or on every feature that has it, as the REST
/// session: all are checked before any is set, and answered once the device has them.
async fn set_outputs(
    state: &Shared,
    index: &str,
    only_feature: Option<u32>,
    output_type: &str,
    level: &str,
    query: &HashMap<String, String>,
) -> Answer<Vec<OutputView>> {
    let index = device_index(index)?;
    let output_type: OutputType = wire_name(output_type, "output type")?;
    let level = parse_level(level)?;
    let duration = match query.get("duration") {
        Some(text) => text.parse::<u32>().map_err(|_| {
            ApiError::BadRequest(format!("duration {text:?} is not a number of milliseconds"))
        })?,
        None => 0,
    };
    let info = state
        .devices
        .device(index)
        .ok_or(DeviceError::UnknownDevice(index))?;
    let targets: Vec<(u32, plugwire_core::message::Range)> = match only_feature {
        Some(feature) => {
            let limits = info
                .feature(feature)
                .ok_or(DeviceError::UnknownFeature {
                    device: index,
                    feature,
                })?
                .output
                .get(&output_type)
                .ok_or(DeviceError::NoSuchOutput {
                    device: index,
                    feature,
                    output_type,
                })?;
            vec![(feature, limits.value)]
        }
        None => info
            .device_features
            .values()
            .filter_map(|f| {
                f.output
                    .get(&output_type)
                    .map(|l| (f.feature_index, l.value))
            })
            .collect(),
    };
    if targets.is_empty() {
        return Err(ApiError::NotFound(format!(
            "device {index} has no {output_type:?} output"
        )));
    }
    let mut commands = Vec::with_capacity(targets.len());
    let mut views = Vec::with_capacity(targets.len());
    for (feature, range) in targets {
        let step = level_to_step(level, range)?;
        let command = match OutputCommand::new(output_type, step) {
            OutputCommand::HwPositionWithDuration(_) => {
                OutputCommand::HwPositionWithDuration(PositionWithDuration {
                    value: step,
                    duration,
                })
            }
            other => other,
        };
        commands.push((feature, command));
        views.push(OutputView {
            device: index,
            feature,
            output_type,
            value: step,
            level: step_to_level(step, range),
        });
    }
    let delivery = state.devices.set_outputs(state.session, index, &commands)?;
    // Answered once the device has the command, so a toy that failed it is told as 502.
    if let Err(source) = delivery.wait_within(WRITE_WAIT).await {
        return Err(DeviceError::NotWritten {
            device: index,
            source,
        }
        .into());
    }
    Ok(Json(views))
}

/// The path's parameters, or a JSON 400 when they do not decode.
fn path_of<T>(path: Result<Path<T>, PathRejection>) -> Result<T, ApiError> {
    path.map(|Path(value)| value)
        .map_err(|rejection| ApiError::BadRequest(rejection.body_text()))
}

fn device_index(text: &str) -> Result<u32, ApiError> {
    text.parse()
        .map_err(|_| ApiError::BadRequest(format!("device index {text:?} is not a number")))
}

fn feature_index(text: &str) -> Result<u32, ApiError> {
    text.parse()
        .map_err(|_| ApiError::BadRequest(format!("feature index {text:?} is not a number")))
}

/// An output or input type as the wire spells it (`Vibrate`, `Battery`).
fn wire_name<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, ApiError> {
    serde_json::from_value(Value::String(text.to_owned())).map_err(|_| {
        ApiError::BadRequest(format!("{text:?} is not an {what} (e.g. Vibrate, Battery)"))
    })
}
