//! What a device protocol is: how a model is identified and initialised, how output values
//! become hardware writes, and how inputs are read. Protocols only see the [`Hardware`] seam;
//! every protocol plugwire has is in `protocols/`, one file each, listed in its registry.

pub(crate) mod reads;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use plugwire_core::message::{InputReadingValue, InputType, OutputCommand, OutputType};

pub use self::reads::READ_TIMEOUT;
use self::reads::battery_from_read;
use crate::config::DeviceDefinition;
use crate::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite};

/// The current value of every output of a device, by feature and type.
pub type OutputState = BTreeMap<(u32, OutputType), OutputCommand>;

/// What identifying a device comes to: the model identifier it gave (`None`: its advertised
/// name is the identifier), or why it could not be asked.
pub type Identified<'a> = BoxFuture<'a, Result<Option<String>, HardwareError>>;

/// An input read under way; it owns what it needs, so the device's writes go on meanwhile.
pub type Reading = BoxFuture<'static, Result<i32, HardwareError>>;

/// How a protocol learns which model a device is, when it need not talk to it to find out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identification {
    /// The advertised name is the model identifier (most protocols).
    AdvertisedName,
    /// The advertised name is the model identifier, and the device answers on this endpoint,
    /// which is subscribed to before anything is written.
    Subscribe(Endpoint),
    /// The model identifier is known without asking the device (one fixed name for a whole
    /// protocol, or a part of the advertised name).
    Fixed(String),
}

impl Identification {
    /// Carries out the identification on `hardware`.
    pub fn run(self, hardware: &dyn Hardware) -> Identified<'_> {
        Box::pin(async move {
            match self {
                Self::AdvertisedName => Ok(None),
                Self::Subscribe(endpoint) => {
                    hardware.subscribe(endpoint).await?;
                    Ok(None)
                }
                Self::Fixed(identifier) => Ok(Some(identifier)),
            }
        })
    }
}

/// One device family's protocol.
pub trait Protocol: Send + 'static {
    /// How the model is identified, for protocols that need not talk to the device to know it
    /// (the default: by the advertised name). Carried out by the default
    /// [`Protocol::identify`].
    fn identification(&self) -> Identification {
        Identification::AdvertisedName
    }

    /// Identifies the device: by default as [`Protocol::identification`] says. Protocols whose
    /// devices must be asked (Lovense answers `DeviceType;`) or must complete a handshake first
    /// implement this instead. `None`: the advertised name identifies it.
    fn identify<'a>(&'a mut self, hardware: &'a dyn Hardware) -> Identified<'a> {
        self.identification().run(hardware)
    }

    /// The database protocol the device turned out to belong to, when [`Protocol::identify`]
    /// found it is not the one that claimed it (a device advertising an old Hismith name whose
    /// model id is of the newer `hismith-mini` line). Its model is then looked up under that
    /// protocol, and that protocol's implementation, configured and initialised in this one's
    /// place, drives it. `None`: the claiming protocol.
    fn identified_protocol(&self) -> Option<&'static str> {
        None
    }

    /// Learns the model (its features and protocol variant, from the device configuration),
    /// for protocols whose packets depend on how many motors a model has.
    fn configure(&mut self, _model: &DeviceDefinition) {}

    /// Writes the device needs once connected and identified.
    fn initialize(&mut self) -> Vec<HardwareWrite> {
        Vec::new()
    }

    /// The writes that bring the device to `state`; `changed` says which outputs changed.
    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite>;

    /// Told whether the writes from the last [`Protocol::writes`] all reached the device, so
    /// state those writes change on the device (a direction, a position) is only kept when
    /// they did.
    fn written(&mut self, _success: bool) {}

    /// Told that an output without an "off" value (a position) was stopped: ends any motion
    /// the protocol is still stepping toward it, and returns the writes that make the device
    /// stand still (none by default: a device that moves only when told needs nothing).
    fn halt(&mut self, _feature_index: u32, _output_type: OutputType) -> Vec<HardwareWrite> {
        Vec::new()
    }

    /// Starts reading an input. The future owns what it needs (the hardware handle, copies of
    /// any state), so writes go on while it runs. The default reads one byte from the standard
    /// BLE battery endpoint.
    fn read_input(
        &self,
        hardware: Arc<dyn Hardware>,
        _feature_index: u32,
        input_type: InputType,
    ) -> Reading {
        battery_from_read(hardware, input_type, Endpoint::RxBleBattery, |data| {
            data.first().copied()
        })
    }

    /// Readings the device sends unasked (a sensor's notifications), as feature index and
    /// reading, for as long as it stays attached. Polled from when the device is listed (so a
    /// stream that first subscribes an endpoint does that then); `None`: it sends none.
    fn input_reports(
        &mut self,
        _hardware: Arc<dyn Hardware>,
    ) -> Option<BoxStream<'static, (u32, InputReadingValue)>> {
        None
    }

    /// The endpoint whose notifications need answers (see [`Protocol::notified`]): it is
    /// subscribed to once the device is initialised. `None` (the default): none do.
    fn answered_endpoint(&self) -> Option<Endpoint> {
        None
    }

    /// The writes answering what the device sent on [`Protocol::answered_endpoint`], such as a
    /// change of state it reports by itself.
    fn notified(&mut self, _data: &[u8]) -> Vec<HardwareWrite> {
        Vec::new()
    }

    /// How often the device must hear from us even when nothing changes (or, for protocols
    /// that move a device step by step, how often a step is taken). Asked again after every
    /// write, so it may follow the protocol's state (faster while a move is under way, none
    /// once there is nothing left to do).
    fn keepalive(&self) -> Option<Duration> {
        None
    }

    /// What to write when a keep-alive is due: by default, every output's current value again.
    fn keepalive_writes(&mut self, state: &OutputState) -> Vec<HardwareWrite> {
        let all: Vec<_> = state
            .iter()
            .map(|((feature, _), command)| (*feature, *command))
            .collect();
        self.writes(&all, state)
    }
}
