//! `Session`: the protocol state machine of one client connection.
//!
//! Plain synchronous code with inputs (decoded frames, device events, finished device reads,
//! the current time) and outputs (replies to send, device reads to perform, whether to
//! close): no sockets, no clock of its own and no waiting, so it is tested and fuzzed
//! directly, and never stalls behind hardware. The server's connection driver runs it over a
//! real link and performs the reads concurrently.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::time::Duration;

use plugwire_core::link::Inbound;
use plugwire_core::message::{
    self, AnyClientMessage, ClientMessage, IdOnly, InputCommand, InputReading, InputType,
    LegacyLayout, Lenient, MessageId, ReadingReply, SharedDeviceList, SpecVersion, Upgraded,
    VersionedServerMessage, legacy,
};
use plugwire_core::{ErrorCode, ErrorReply, SerializeError, TransportError};
use tokio::time::Instant;
use tracing::{debug, info, warn};

use plugwire_devices::{
    Delivery, DeviceError, DeviceEvent, DeviceListSnapshot, DeviceManager, SessionId, StopScope,
};

/// Settings every session of a server shares.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Name sent in `ServerInfo`.
    pub server_name: String,
    /// Ping deadline; zero disables it. Capped at `u32::MAX` milliseconds (what `ServerInfo`
    /// can carry).
    pub max_ping_time: Duration,
    /// How long a new connection may take to send `RequestServerInfo`; zero disables it.
    pub handshake_timeout: Duration,
    /// How long a device may take to answer an input read.
    pub input_timeout: Duration,
    /// Most input reads one session may have waiting on devices at once; more are answered
    /// with a device error.
    pub max_pending_reads: usize,
    /// Most output commands one session may have waiting to hear whether their device wrote
    /// them; commands beyond it still take effect and are answered at once.
    pub max_pending_writes: usize,
    /// How long a spec v4 session waits, after a device arrives or leaves, before sending the
    /// whole new device list (Id 0), so that a burst of arrivals is one list rather than one
    /// per device: [`DEFAULT_DEVICE_LIST_SETTLE`] by default. Zero sends it as soon as the
    /// events already waiting are read (still one list for all of them). Spec v0–v3 clients
    /// get one `DeviceAdded` / `DeviceRemoved` per device at once, as their protocol has it.
    pub device_list_settle: Duration,
}

/// How long a v4 session lets device arrivals settle before sending the new list, by default.
pub const DEFAULT_DEVICE_LIST_SETTLE: Duration = Duration::from_millis(50);

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            server_name: "plugwire".to_owned(),
            max_ping_time: Duration::ZERO,
            handshake_timeout: Duration::from_secs(5),
            input_timeout: Duration::from_secs(10),
            max_pending_reads: 16,
            max_pending_writes: 256,
            device_list_settle: DEFAULT_DEVICE_LIST_SETTLE,
        }
    }
}

/// What the session wants done after an input.
#[derive(Debug, Default, PartialEq)]
pub struct Step {
    /// Messages to send, as one batch.
    pub replies: Vec<VersionedServerMessage>,
    /// Device reads to perform; each result goes back through [`Session::read_done`].
    pub reads: Vec<PendingRead>,
    /// Output commands to answer once their device has written them; each result goes back
    /// through [`Session::write_done`].
    pub writes: Vec<PendingWrite>,
    /// Whether to close the connection after sending the replies.
    pub close: bool,
}

impl Step {
    /// A step that only sends `replies`.
    pub fn replies(replies: Vec<VersionedServerMessage>) -> Self {
        Self {
            replies,
            ..Self::default()
        }
    }
}

/// An input read a client asked for, for the driver to perform on the device manager.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingRead {
    /// The request's Id, for the reply.
    pub id: MessageId,
    /// Device to read.
    pub device_index: u32,
    /// Feature to read.
    pub feature_index: u32,
    /// Input to read.
    pub input_type: InputType,
    /// How the client asked, so the answer takes the form it expects.
    reply: ReadingReply,
}

/// An output command the device manager accepted, to be answered once its device wrote it
/// (or could not).
#[derive(Debug)]
pub struct PendingWrite {
    /// The request's Id, for the reply.
    pub id: MessageId,
    /// The device written to.
    pub device_index: u32,
    /// What the device's task will say.
    pub delivery: Delivery,
}

impl PartialEq for PendingWrite {
    /// The same request to the same device (what the device says is not yet known).
    fn eq(&self, other: &Self) -> bool {
        (self.id, self.device_index) == (other.id, other.device_index)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    AwaitingHandshake,
    Ready {
        version: SpecVersion,
        client_name: String,
    },
}

/// One client connection's protocol state.
pub struct Session {
    id: SessionId,
    config: Arc<SessionConfig>,
    devices: Arc<DeviceManager>,
    state: State,
    created: Instant,
    last_ping: Instant,
    /// Devices a v0–v3 client has been told about (so `DeviceAdded`/`Removed` are not repeated).
    announced: BTreeSet<u32>,
    /// The device list this session last sent, reused while the manager's generation stands
    /// (checking it takes no lock).
    list: Option<DeviceListSnapshot>,
    /// A v4 client has yet to be sent the device list after devices arrived or left.
    list_pending: bool,
    /// The manager's generation in the last device list a v4 client was sent unasked (Id 0):
    /// an arrival or departure it already reflects needs no other.
    list_announced: Option<u64>,
    subscriptions: HashSet<(u32, u32, InputType)>,
    scanning: bool,
    /// Reads handed to the driver and not yet done.
    reads_in_flight: usize,
    /// Writes handed to the driver and not yet answered.
    writes_in_flight: usize,
    ended: bool,
}

impl Session {
    /// A new session, waiting for its handshake.
    pub fn new(
        id: SessionId,
        config: Arc<SessionConfig>,
        devices: Arc<DeviceManager>,
        now: Instant,
    ) -> Self {
        Self {
            id,
            config,
            devices,
            state: State::AwaitingHandshake,
            created: now,
            last_ping: now,
            announced: BTreeSet::new(),
            list: None,
            list_pending: false,
            list_announced: None,
            subscriptions: HashSet::new(),
            scanning: false,
            reads_in_flight: 0,
            writes_in_flight: 0,
            ended: false,
        }
    }

    /// The settings it runs with.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// The session's id.
    pub fn id(&self) -> SessionId {
        self.id
    }

    /// The spec version agreed in the handshake, if it is done.
    pub fn version(&self) -> Option<SpecVersion> {
        match self.state {
            State::Ready { version, .. } => Some(version),
            State::AwaitingHandshake => None,
        }
    }

    /// The client's name, once the handshake is done.
    pub fn client_name(&self) -> Option<&str> {
        match &self.state {
            State::Ready { client_name, .. } => Some(client_name),
            State::AwaitingHandshake => None,
        }
    }

    /// Version to shape replies in; errors look the same in every version.
    fn reply_version(&self) -> SpecVersion {
        self.version().unwrap_or(SpecVersion::NEWEST)
    }

    fn error(&self, id: MessageId, error: ErrorReply) -> VersionedServerMessage {
        debug!(session = self.id, id, code = ?error.code, message = %error.message, "answering with an error");
        VersionedServerMessage::error(self.reply_version(), id, error.code, error.message)
    }

    /// The ping deadline in force: the configured one, capped at what `ServerInfo` can say.
    fn max_ping_time(&self) -> Duration {
        self.config
            .max_ping_time
            .min(Duration::from_millis(u64::from(u32::MAX)))
    }

    /// When the session must hear from the client by: the handshake before it is done, then a
    /// `Ping` if the ping deadline is on. `None` when nothing is due.
    pub fn deadline(&self) -> Option<Instant> {
        let (since, allowed) = match self.state {
            State::AwaitingHandshake => (self.created, self.config.handshake_timeout),
            State::Ready { .. } => (self.last_ping, self.max_ping_time()),
        };
        if allowed.is_zero() {
            return None;
        }
        since.checked_add(allowed)
    }

    /// The deadline from [`Self::deadline`] passed: stop, tell the client why, close.
    pub fn deadline_passed(&mut self) -> Step {
        if self.version().is_some() {
            return self.ping_expired();
        }
        warn!(session = self.id, "no handshake in time; closing");
        self.end();
        let error = ErrorReply::handshake(format!(
            "no RequestServerInfo within {} ms of connecting",
            self.config.handshake_timeout.as_millis()
        ));
        Step {
            replies: vec![self.error(0, error)],
            close: true,
            ..Step::default()
        }
    }

    /// Handles one incoming frame's worth of messages, then the frame's fault, if any.
    pub fn handle(&mut self, inbound: Inbound<AnyClientMessage>, now: Instant) -> Step {
        // Nearly every message gets one reply: room for them all at once (growing the vector
        // from nothing cost about 100 instructions per request).
        let mut step = Step {
            replies: Vec::with_capacity(
                inbound.messages.len() + usize::from(inbound.error.is_some()),
            ),
            ..Step::default()
        };
        for message in inbound.messages {
            match message {
                Lenient::Valid(message) => self.handle_message(message, now, &mut step),
                Lenient::Invalid(invalid) => {
                    let text = match &invalid.name {
                        Some(name) if !is_known_message(name) => {
                            format!("unknown message {name:?}")
                        }
                        Some(name) => format!("malformed {name}: {}", invalid.error),
                        None => format!("not a message: {}", invalid.error),
                    };
                    step.replies
                        .push(self.error(invalid.id.unwrap_or(0), ErrorReply::message(text)));
                }
            }
            if step.close {
                return step;
            }
        }
        if let Some(error) = inbound.error {
            let id = error.request_id().unwrap_or(0);
            step.replies
                .push(self.error(id, ErrorReply::message(describe_undecodable(&error))));
        }
        step
    }

    fn handle_message(&mut self, message: AnyClientMessage, now: Instant, step: &mut Step) {
        let id = message.id();
        if id == 0 {
            let error = ErrorReply::message(format!(
                "{} has Id 0, which is reserved for messages the server sends on its own",
                message.name()
            ));
            step.replies.push(self.error(0, error));
            return;
        }
        let version = match &self.state {
            State::AwaitingHandshake => {
                let reply = self.handshake(message, now);
                step.replies.push(reply);
                return;
            }
            State::Ready { version, .. } => *version,
        };
        if !message.available_in(version) {
            let error = ErrorReply::message(format!(
                "{} is not a message of spec {version}",
                message.name()
            ));
            step.replies.push(self.error(id, error));
            return;
        }
        let devices = &self.devices;
        let upgraded = match message::upgrade(message, |index| devices.device(index)) {
            Ok(upgraded) => upgraded,
            Err(error) => {
                step.replies.push(self.error(id, error));
                return;
            }
        };
        let reply = match self.execute(upgraded, version, now) {
            Ok(Executed::Reply(reply)) => reply,
            Ok(Executed::Read(read)) => {
                self.reads_in_flight += 1;
                step.reads.push(read);
                return;
            }
            Ok(Executed::Write(write)) => {
                self.writes_in_flight += 1;
                step.writes.push(write);
                return;
            }
            Ok(Executed::Goodbye) => {
                step.close = true;
                VersionedServerMessage::ok(version, id)
            }
            Err(error) => self.error(id, error),
        };
        step.replies.push(reply);
    }

    fn handshake(&mut self, message: AnyClientMessage, now: Instant) -> VersionedServerMessage {
        let id = message.id();
        let AnyClientMessage::RequestServerInfo(request) = message else {
            let error = ErrorReply::handshake(format!(
                "{} before the handshake: the first message must be RequestServerInfo",
                message.name()
            ));
            return self.error(id, error);
        };
        let version = match SpecVersion::requested_by(&request) {
            Ok(version) => version,
            Err(asked) => {
                let error = ErrorReply::handshake(format!(
                    "client asked for protocol version {asked}; this server speaks versions 0 to {}",
                    SpecVersion::NEWEST.number()
                ));
                return self.error(id, error);
            }
        };
        info!(session = self.id, client = %request.client_name, %version, "handshake done");
        self.state = State::Ready {
            version,
            client_name: request.client_name,
        };
        self.last_ping = now;
        // A legacy client learns of devices from DeviceList or DeviceAdded; only those count.
        self.announced.clear();
        let max_ping = u32::try_from(self.max_ping_time().as_millis()).unwrap_or(u32::MAX);
        message::server_info(version, id, &self.config.server_name, max_ping)
    }

    /// Carries out a request.
    fn execute(
        &mut self,
        upgraded: Upgraded,
        version: SpecVersion,
        now: Instant,
    ) -> Result<Executed, ErrorReply> {
        let ok = |id| Ok(Executed::Reply(VersionedServerMessage::ok(version, id)));
        match upgraded {
            Upgraded::Message(ClientMessage::RequestServerInfo(_)) => Err(ErrorReply::handshake(
                "the handshake is already done; RequestServerInfo may be sent only once",
            )),
            Upgraded::Message(ClientMessage::Ping(IdOnly { id })) => {
                if self.config.max_ping_time.is_zero() {
                    return Err(ErrorReply::new(
                        ErrorCode::Ping,
                        "ping is disabled on this server (MaxPingTime 0)",
                    ));
                }
                self.last_ping = now;
                ok(id)
            }
            Upgraded::Message(ClientMessage::StartScanning(IdOnly { id })) => {
                self.scanning = true;
                self.devices.start_scanning();
                ok(id)
            }
            Upgraded::Message(ClientMessage::StopScanning(IdOnly { id })) => {
                self.devices.stop_scanning();
                ok(id)
            }
            Upgraded::Message(ClientMessage::RequestDeviceList(IdOnly { id })) => {
                Ok(Executed::Reply(self.device_list(version, id)))
            }
            Upgraded::Message(ClientMessage::StopCmd(stop)) => {
                let scope = StopScope {
                    device_index: stop.device_index,
                    feature_index: stop.feature_index,
                };
                if stop.outputs {
                    self.devices.stop(scope)?;
                } else if let Some(device) = scope.device_index {
                    self.devices
                        .device(device)
                        .ok_or(DeviceError::UnknownDevice(device))?;
                }
                if stop.inputs {
                    self.subscriptions.retain(|(d, f, _)| {
                        !(scope.device_index.is_none_or(|i| i == *d)
                            && scope.feature_index.is_none_or(|i| i == *f))
                    });
                }
                ok(stop.id)
            }
            Upgraded::Message(ClientMessage::OutputCmd(cmd)) => {
                let delivery = self.devices.set_output(
                    self.id,
                    cmd.device_index,
                    cmd.feature_index,
                    cmd.command,
                )?;
                Ok(self.written(version, cmd.id, cmd.device_index, delivery))
            }
            Upgraded::Message(ClientMessage::InputCmd(cmd)) => match cmd.command {
                InputCommand::Read => self.read(PendingRead {
                    id: cmd.id,
                    device_index: cmd.device_index,
                    feature_index: cmd.feature_index,
                    input_type: cmd.input_type,
                    reply: ReadingReply::Input,
                }),
                InputCommand::Subscribe => {
                    self.devices.check_input(
                        cmd.device_index,
                        cmd.feature_index,
                        cmd.input_type,
                        InputCommand::Subscribe,
                    )?;
                    self.subscriptions.insert((
                        cmd.device_index,
                        cmd.feature_index,
                        cmd.input_type,
                    ));
                    ok(cmd.id)
                }
                InputCommand::Unsubscribe => {
                    let key = (cmd.device_index, cmd.feature_index, cmd.input_type);
                    if !self.subscriptions.remove(&key) {
                        return Err(ErrorReply::device("not subscribed to that input"));
                    }
                    ok(cmd.id)
                }
            },
            Upgraded::Message(ClientMessage::Disconnect(IdOnly { .. })) => {
                self.end();
                Ok(Executed::Goodbye)
            }
            Upgraded::Outputs {
                id,
                device_index,
                commands,
            } => {
                let delivery = self.devices.set_outputs(self.id, device_index, &commands)?;
                Ok(self.written(version, id, device_index, delivery))
            }
            Upgraded::Read {
                id,
                device_index,
                feature_index,
                input_type,
                reply,
            } => self.read(PendingRead {
                id,
                device_index,
                feature_index,
                input_type,
                reply,
            }),
            Upgraded::Ack(id) => ok(id),
            Upgraded::Echo(test) => Ok(Executed::Reply(match version {
                SpecVersion::V0 => {
                    VersionedServerMessage::V0(legacy::LegacyServerMessage::Test(test))
                }
                _ => VersionedServerMessage::V2(legacy::LegacyServerMessage::Test(test)),
            })),
        }
    }

    /// Answers an output command at once when its device already has it (or too many wait),
    /// else once the device's task wrote it.
    fn written(
        &self,
        version: SpecVersion,
        id: MessageId,
        device_index: u32,
        delivery: Delivery,
    ) -> Executed {
        if delivery.is_done() || self.writes_in_flight >= self.config.max_pending_writes {
            return Executed::Reply(VersionedServerMessage::ok(version, id));
        }
        Executed::Write(PendingWrite {
            id,
            device_index,
            delivery,
        })
    }

    /// A write from [`Step::writes`] was answered by its device: `Ok`, or the device Error
    /// (code 4) when its bytes could not be written.
    pub fn write_done(&mut self, id: MessageId, result: Result<(), DeviceError>) -> Step {
        self.writes_in_flight = self.writes_in_flight.saturating_sub(1);
        let Some(version) = self.version().filter(|_| !self.ended) else {
            return Step::default();
        };
        let reply = match result {
            Ok(()) => VersionedServerMessage::ok(version, id),
            Err(error) => self.error(id, error.into()),
        };
        Step::replies(vec![reply])
    }

    /// Checks a read and hands it to the driver.
    fn read(&self, read: PendingRead) -> Result<Executed, ErrorReply> {
        self.devices.check_input(
            read.device_index,
            read.feature_index,
            read.input_type,
            InputCommand::Read,
        )?;
        if self.reads_in_flight >= self.config.max_pending_reads {
            return Err(ErrorReply::device(format!(
                "{} reads are already waiting on devices; try again when they are answered",
                self.reads_in_flight
            )));
        }
        Ok(Executed::Read(read))
    }

    /// A read from [`Step::reads`] finished: answer it.
    pub fn read_done(&mut self, read: PendingRead, result: Result<i32, DeviceError>) -> Step {
        self.reads_in_flight = self.reads_in_flight.saturating_sub(1);
        if self.ended {
            return Step::default();
        }
        let reply = match result {
            Ok(value) => {
                let range_top = self
                    .devices
                    .device(read.device_index)
                    .and_then(|d| {
                        d.feature(read.feature_index)
                            .and_then(|f| f.input.get(&read.input_type))
                            .and_then(|limits| limits.value.first().map(|r| r.max))
                    })
                    .unwrap_or(100);
                let reading = InputReading {
                    id: read.id,
                    device_index: read.device_index,
                    feature_index: read.feature_index,
                    reading: message::InputReadingValue::new(read.input_type, value),
                };
                message::reading(reading, &read.reply, range_top)
            }
            Err(error) => self.error(read.id, error.into()),
        };
        Step::replies(vec![reply])
    }

    /// A `DeviceList` answering `id`, sharing the list every session of `version` uses (built
    /// once per change of devices); a legacy client has now been told of every device in it.
    fn device_list(&mut self, version: SpecVersion, id: MessageId) -> VersionedServerMessage {
        let snapshot = match self.list.take() {
            Some(list) if list.generation == self.devices.generation() => list,
            _ => self.devices.device_list(version),
        };
        if version != SpecVersion::V4 && self.announced != *snapshot.indexes {
            self.announced = (*snapshot.indexes).clone();
        }
        let reply = VersionedServerMessage::SharedDeviceList(SharedDeviceList::new(
            id,
            snapshot.list.clone(),
            snapshot.templates.clone(),
        ));
        self.list = Some(snapshot);
        reply
    }

    /// Turns a device event into what this client should hear of it (nothing before the
    /// handshake). A v0–v3 client hears of each arrival and departure at once (`DeviceAdded`,
    /// `DeviceRemoved`). A v4 client is sent the whole list instead, and not at once: the
    /// event only makes the list pending ([`Self::list_pending`]), and the driver sends it
    /// with [`Self::send_pending_list`] once arrivals have settled, so a burst of them is one
    /// list. Anything else this client is to hear of goes after a pending list.
    pub fn handle_event(&mut self, event: DeviceEvent) -> Vec<VersionedServerMessage> {
        let Some(version) = self.version() else {
            return Vec::new();
        };
        match event {
            DeviceEvent::Added(_) if version == SpecVersion::V4 => {
                self.list_changed();
                Vec::new()
            }
            DeviceEvent::Added(info) => {
                if self.announced.insert(info.device_index) {
                    message::device_added(version, &info).into_iter().collect()
                } else {
                    Vec::new()
                }
            }
            DeviceEvent::Removed(info) => {
                self.subscriptions
                    .retain(|(d, _, _)| *d != info.device_index);
                if version == SpecVersion::V4 {
                    self.list_changed();
                    return Vec::new();
                }
                if self.announced.remove(&info.device_index) {
                    message::device_removed(version, info.device_index)
                        .into_iter()
                        .collect()
                } else {
                    Vec::new()
                }
            }
            DeviceEvent::ScanningFinished => {
                if std::mem::take(&mut self.scanning) {
                    self.after_pending_list(VersionedServerMessage::scanning_finished(version))
                } else {
                    Vec::new()
                }
            }
            DeviceEvent::InputReading {
                device_index,
                feature_index,
                reading,
            } => {
                if !self.subscriptions.contains(&(
                    device_index,
                    feature_index,
                    reading.input_type(),
                )) {
                    return Vec::new();
                }
                let reading = InputReading {
                    id: 0,
                    device_index,
                    feature_index,
                    reading,
                };
                let reply = if version == SpecVersion::V4 {
                    ReadingReply::Input
                } else {
                    let Some(device) = self.devices.device(device_index) else {
                        return Vec::new();
                    };
                    let layout = LegacyLayout::of(&device);
                    let input_type = reading.reading.input_type();
                    let (Some(sensor_index), Some(sensor_type)) = (
                        layout.sensor_index(feature_index, input_type),
                        message::v3_sensor_type_name(input_type),
                    ) else {
                        return Vec::new();
                    };
                    ReadingReply::Sensor {
                        sensor_index,
                        sensor_type: sensor_type.to_owned(),
                    }
                };
                self.after_pending_list(message::reading(reading, &reply, 100))
            }
        }
    }

    /// `message`, after the device list if one is pending: what the client hears stays in
    /// the order it happened.
    fn after_pending_list(
        &mut self,
        message: VersionedServerMessage,
    ) -> Vec<VersionedServerMessage> {
        let mut out = self.send_pending_list();
        out.push(message);
        out
    }

    /// A device arrived or left: a v4 client is due the new list, unless the last one it was
    /// sent unasked already shows the devices there are now.
    fn list_changed(&mut self) {
        if self.list_announced != Some(self.devices.generation()) {
            self.list_pending = true;
        }
    }

    /// Whether a v4 client is due the device list (see [`Self::handle_event`]).
    pub fn list_pending(&self) -> bool {
        self.list_pending
    }

    /// The device list (Id 0) a v4 client is due, as the devices are now; nothing when none is
    /// due.
    pub fn send_pending_list(&mut self) -> Vec<VersionedServerMessage> {
        if !std::mem::take(&mut self.list_pending) {
            return Vec::new();
        }
        let Some(version) = self.version() else {
            return Vec::new();
        };
        vec![self.announce_list(version)]
    }

    /// A `DeviceList` with Id 0, recorded as the last sent unasked.
    fn announce_list(&mut self, version: SpecVersion) -> VersionedServerMessage {
        let list = self.device_list(version, 0);
        self.list_pending = false;
        self.list_announced = self.list.as_ref().map(|list| list.generation);
        list
    }

    /// The device list changed while this session was not listening (it fell behind the event
    /// stream): bring the client up to date.
    pub fn resynchronise(&mut self) -> Vec<VersionedServerMessage> {
        let Some(version) = self.version() else {
            return Vec::new();
        };
        let devices = self.devices.devices();
        let mut out = Vec::new();
        // A ScanningFinished may have been among the events missed.
        if std::mem::take(&mut self.scanning) {
            out.push(VersionedServerMessage::scanning_finished(version));
        }
        if version == SpecVersion::V4 {
            out.push(self.announce_list(version));
            return out;
        }
        let now: BTreeSet<u32> = devices.iter().map(|d| d.device_index).collect();
        out.extend(
            self.announced
                .difference(&now)
                .filter_map(|&gone| message::device_removed(version, gone)),
        );
        out.extend(
            devices
                .iter()
                .filter(|d| !self.announced.contains(&d.device_index))
                .filter_map(|d| message::device_added(version, d)),
        );
        self.announced = now;
        out
    }

    /// The ping deadline passed: stop what this session drove, tell the client, close.
    pub fn ping_expired(&mut self) -> Step {
        warn!(
            session = self.id,
            "ping deadline missed; stopping the session's devices"
        );
        self.end();
        let error = ErrorReply::new(
            ErrorCode::Ping,
            format!(
                "no Ping within MaxPingTime ({} ms); devices stopped",
                self.max_ping_time().as_millis()
            ),
        );
        Step {
            replies: vec![self.error(0, error)],
            close: true,
            ..Step::default()
        }
    }

    /// The transport failed. For an oversized frame the client is told before the close.
    pub fn transport_failed(&mut self, error: &TransportError) -> Step {
        self.end();
        let replies = match error {
            TransportError::InvalidFrame(what) => {
                vec![self.error(0, ErrorReply::message(format!("invalid frame: {what}")))]
            }
            TransportError::FrameTooLarge { size: 0, max } => {
                vec![self.error(
                    0,
                    ErrorReply::message(format!("frame exceeds the maximum of {max} bytes")),
                )]
            }
            TransportError::FrameTooLarge { size, max } => {
                vec![self.error(
                    0,
                    ErrorReply::message(format!(
                        "frame of {size} bytes exceeds the maximum of {max}"
                    )),
                )]
            }
            _ => Vec::new(),
        };
        Step {
            replies,
            close: true,
            ..Step::default()
        }
    }

    /// Ends the session: every output it drove stops. Safe to call more than once.
    pub fn end(&mut self) {
        if !std::mem::replace(&mut self.ended, true) {
            self.devices.release_session(self.id);
            self.subscriptions.clear();
        }
    }
}

/// What carrying out one request came to.
enum Executed {
    /// Answer with this.
    Reply(VersionedServerMessage),
    /// Answer once the device has been read.
    Read(PendingRead),
    /// Answer once the device has written the command.
    Write(PendingWrite),
    /// Answer Ok, then close.
    Goodbye,
}

impl Drop for Session {
    /// However the session goes away — close, error, panic, cancelled task — its outputs stop.
    fn drop(&mut self) {
        self.end();
    }
}

fn describe_undecodable(error: &SerializeError) -> String {
    match error {
        SerializeError::Malformed { source, .. } => format!("malformed frame: {source}"),
        other => other.to_string(),
    }
}

/// Whether `name` is a client message of some spec version (else it is "unknown", not "malformed").
fn is_known_message(name: &str) -> bool {
    AnyClientMessage::NAMES.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugwire_core::message::OutputType;
    use plugwire_core::message::legacy::RequestServerInfoAny;
    use plugwire_devices::simulated::{SimulatedDevice, SimulatedKind};

    fn v4_handshake() -> Inbound<AnyClientMessage> {
        Inbound::complete(vec![Lenient::Valid(AnyClientMessage::RequestServerInfo(
            RequestServerInfoAny {
                id: 1,
                client_name: "unit".to_owned(),
                message_version: None,
                protocol_version_major: Some(4),
                protocol_version_minor: Some(0),
            },
        ))])
    }

    fn message(json: &str) -> Inbound<AnyClientMessage> {
        Inbound::complete(vec![Lenient::Valid(
            serde_json::from_str(json).expect("valid message"),
        )])
    }

    fn setup(max_ping_time: Duration) -> (Session, Arc<SimulatedDevice>) {
        let devices = Arc::new(DeviceManager::new());
        let vibrator = SimulatedDevice::add_to(&devices, SimulatedKind::Vibrator);
        let config = Arc::new(SessionConfig {
            server_name: "unit".to_owned(),
            max_ping_time,
            ..SessionConfig::default()
        });
        (Session::new(7, config, devices, Instant::now()), vibrator)
    }

    #[tokio::test]
    async fn the_ping_deadline_starts_at_the_handshake_and_moves_with_each_ping() {
        let (mut session, _) = setup(Duration::from_millis(500));
        let start = Instant::now();
        let handshake_by = session.deadline().expect("a handshake deadline first");
        session.handle(v4_handshake(), start);
        assert_ne!(session.deadline(), Some(handshake_by));
        assert_eq!(session.deadline(), Some(start + Duration::from_millis(500)));
        let later = start + Duration::from_millis(300);
        let step = session.handle(message(r#"{"Ping":{"Id":2}}"#), later);
        assert_eq!(
            step.replies,
            vec![VersionedServerMessage::ok(SpecVersion::V4, 2)]
        );
        assert_eq!(session.deadline(), Some(later + Duration::from_millis(500)));
    }

    #[tokio::test]
    async fn no_deadline_when_ping_is_off() {
        let (mut session, _) = setup(Duration::ZERO);
        session.handle(v4_handshake(), Instant::now());
        assert_eq!(session.deadline(), None);
    }

    #[tokio::test]
    async fn a_connection_that_never_handshakes_is_closed_with_code_1() {
        let (mut session, _) = setup(Duration::ZERO);
        let deadline = session.deadline().expect("handshake deadline");
        assert!(deadline > Instant::now());
        let step = session.deadline_passed();
        assert!(step.close);
        assert_eq!(
            step.replies,
            vec![VersionedServerMessage::error(
                SpecVersion::V4,
                0,
                ErrorCode::Handshake,
                "no RequestServerInfo within 5000 ms of connecting"
            )]
        );
    }

    #[tokio::test]
    async fn an_enormous_ping_time_is_capped_not_overflowed() {
        let (mut session, _) = setup(Duration::MAX);
        let now = Instant::now();
        let step = session.handle(v4_handshake(), now);
        let expected = message::server_info(SpecVersion::V4, 1, "unit", u32::MAX);
        assert_eq!(step.replies, vec![expected]);
        assert_eq!(
            session.deadline(),
            now.checked_add(Duration::from_millis(u64::from(u32::MAX)))
        );
    }

    #[tokio::test]
    async fn an_expired_deadline_stops_outputs_and_closes() {
        let (mut session, vibrator) = setup(Duration::from_millis(100));
        let now = Instant::now();
        session.handle(v4_handshake(), now);
        let vibrate = r#"{"OutputCmd":{"Id":2,"DeviceIndex":0,"FeatureIndex":0,"Command":{"Vibrate":{"Value":9}}}}"#;
        session.handle(message(vibrate), now);
        assert_eq!(vibrator.state().output(0, OutputType::Vibrate), 9);
        let step = session.ping_expired();
        assert!(step.close);
        assert_eq!(step.replies.len(), 1);
        assert!(vibrator.state().is_idle());
    }

    #[tokio::test]
    async fn dropping_a_session_stops_what_it_drove() {
        let (mut session, vibrator) = setup(Duration::ZERO);
        session.handle(v4_handshake(), Instant::now());
        let vibrate = r#"{"OutputCmd":{"Id":2,"DeviceIndex":0,"FeatureIndex":1,"Command":{"Vibrate":{"Value":3}}}}"#;
        session.handle(message(vibrate), Instant::now());
        assert_eq!(vibrator.state().output(1, OutputType::Vibrate), 3);
        drop(session);
        assert!(vibrator.state().is_idle());
    }

    /// The list a session keeps between requests is checked against the manager on every
    /// request, so a device added or removed in between (with its event not yet read, or,
    /// for spec v0–v3, never carrying the list) is in the next reply.
    #[tokio::test]
    async fn each_device_list_reply_lists_the_devices_there_are_now() {
        for major in [4, 3, 1] {
            let (mut session, _) = setup(Duration::ZERO);
            let handshake = Inbound::complete(vec![Lenient::Valid(
                AnyClientMessage::RequestServerInfo(RequestServerInfoAny {
                    id: 1,
                    client_name: "unit".to_owned(),
                    message_version: None,
                    protocol_version_major: Some(major),
                    protocol_version_minor: Some(0),
                }),
            )]);
            session.handle(handshake, Instant::now());
            let version = session.version().expect("handshake done");
            let devices = session.devices.clone();
            let expected = |id: MessageId| message::device_list(version, id, &devices.devices());
            let listed = |session: &mut Session, id: MessageId| {
                let request = format!(r#"{{"RequestDeviceList":{{"Id":{id}}}}}"#);
                let step = session.handle(message(&request), Instant::now());
                match step.replies.as_slice() {
                    [VersionedServerMessage::SharedDeviceList(list)] => list.to_owned_message(),
                    other => panic!("spec {version}: not one device list: {other:?}"),
                }
            };
            assert_eq!(listed(&mut session, 2), expected(2), "spec {version}");
            assert_eq!(listed(&mut session, 3), expected(3), "spec {version}");
            // A stale list would still hold one device.
            let added = SimulatedDevice::add_to(&devices, SimulatedKind::Rotator);
            assert_eq!(devices.devices().len(), 2);
            assert_eq!(listed(&mut session, 4), expected(4), "spec {version}");
            let index = added.index().expect("attached");
            assert!(devices.remove_device(index));
            assert_eq!(listed(&mut session, 5), expected(5), "spec {version}");
        }
    }

    /// A v4 client is told of arrivals and departures with one list for however many there
    /// were, sent when the driver says they have settled; a list that already shows the
    /// devices there are is not sent again; anything else it hears goes after the list.
    #[tokio::test]
    async fn v4_arrivals_make_one_pending_list_sent_before_anything_else() {
        let (mut session, _) = setup(Duration::ZERO);
        session.handle(v4_handshake(), Instant::now());
        let devices = session.devices.clone();
        let arrivals: Vec<_> = (0..3)
            .map(|_| SimulatedDevice::add_to(&devices, SimulatedKind::Rotator))
            .collect();
        for arrival in &arrivals {
            let index = arrival.index().expect("attached");
            let info = devices.device(index).expect("listed");
            assert!(session.handle_event(DeviceEvent::Added(info)).is_empty());
        }
        assert!(session.list_pending());
        let sent = session.send_pending_list();
        let expected = message::device_list(SpecVersion::V4, 0, &devices.devices());
        match sent.as_slice() {
            [VersionedServerMessage::SharedDeviceList(list)] => {
                assert_eq!(list.to_owned_message(), expected);
            }
            other => panic!("not one device list: {other:?}"),
        }
        assert!(!session.list_pending());
        assert!(session.send_pending_list().is_empty());

        // An arrival the list already showed: nothing more to say.
        let shown = devices.device(0).expect("the vibrator");
        assert!(session.handle_event(DeviceEvent::Added(shown)).is_empty());
        assert!(!session.list_pending());

        // A departure makes the list pending; ScanningFinished goes out after it.
        let index = arrivals[0].index().expect("attached");
        let gone = devices.device(index).expect("listed");
        assert!(devices.remove_device(index));
        assert!(session.handle_event(DeviceEvent::Removed(gone)).is_empty());
        session.handle(message(r#"{"StartScanning":{"Id":2}}"#), Instant::now());
        let heard = session.handle_event(DeviceEvent::ScanningFinished);
        assert!(matches!(
            heard.as_slice(),
            [VersionedServerMessage::SharedDeviceList(_), finished]
                if *finished == VersionedServerMessage::scanning_finished(SpecVersion::V4)
        ));
        assert!(!session.list_pending());
    }

    #[tokio::test]
    async fn device_events_wait_for_the_handshake_and_follow_the_version() {
        let (mut session, _) = setup(Duration::ZERO);
        assert!(
            session
                .handle_event(DeviceEvent::ScanningFinished)
                .is_empty()
        );
        let legacy = Inbound::complete(vec![Lenient::Valid(AnyClientMessage::RequestServerInfo(
            RequestServerInfoAny {
                id: 1,
                client_name: "v3".to_owned(),
                message_version: Some(3),
                protocol_version_major: None,
                protocol_version_minor: None,
            },
        ))]);
        session.handle(legacy, Instant::now());
        assert_eq!(session.version(), Some(SpecVersion::V3));
        let info = session.devices.device(0).expect("vibrator");
        // Not yet announced to this client: the removal is news only after an addition.
        assert!(
            session
                .handle_event(DeviceEvent::Removed(info.clone()))
                .is_empty()
        );
        assert_eq!(
            session.handle_event(DeviceEvent::Added(info.clone())).len(),
            1
        );
        assert!(
            session
                .handle_event(DeviceEvent::Added(info.clone()))
                .is_empty(),
            "no repeats"
        );
        assert_eq!(session.handle_event(DeviceEvent::Removed(info)).len(), 1);
    }
}
