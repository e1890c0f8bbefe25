//! Answers the method calls btleplug (through bluez-async) makes: the object manager,
//! properties, introspection, `Adapter1`, `Device1` and `GattCharacteristic1`.

use std::time::Duration;

use dbus::Message;
use dbus::arg::{PropMap, RefArg, Variant};

use super::state::{
    ADAPTER, ADAPTER1, CHARACTERISTIC1, DEVICE1, INTROSPECTABLE, Operation, PROPERTIES, State,
    WriteKind, changed, error, variant,
};

/// What to send for one call.
pub(super) enum Out {
    /// Now, in order.
    Now(Message),
    /// After a delay (a slow device), in order.
    Later(Duration, Vec<Message>),
}

const OBJECT_MANAGER: &str = "org.freedesktop.DBus.ObjectManager";

/// Handles one method call; what it sends goes into the returned list.
pub(super) fn handle(state: &mut State, call: &Message) -> Vec<Out> {
    let object = call.path().map(|p| p.to_string()).unwrap_or_default();
    let interface = call.interface().map(|i| i.to_string()).unwrap_or_default();
    let member = call.member().map(|m| m.to_string()).unwrap_or_default();
    let mut out = Vec::new();
    let reply = match (interface.as_str(), member.as_str()) {
        (INTROSPECTABLE, "Introspect") => introspect(state, call, &object),
        (PROPERTIES, "Get") => get(state, call, &object),
        (PROPERTIES, "GetAll") => get_all(state, call, &object),
        (PROPERTIES, "Set") => set(state, call, &object, &mut out),
        (OBJECT_MANAGER, "GetManagedObjects") if object == "/" => {
            Some(call.method_return().append1(state.managed_objects()))
        }
        (ADAPTER1, _) if object == ADAPTER && state.adapter => {
            adapter(state, call, &member, &mut out)
        }
        (DEVICE1, _) => device(state, call, &object, &member, &mut out),
        (CHARACTERISTIC1, _) => return characteristic(state, call, &object, &member),
        _ => Some(error(
            call,
            "org.freedesktop.DBus.Error.UnknownMethod",
            &format!("no method {member} of {interface} at {object}"),
        )),
    };
    let mut sent: Vec<Out> = Vec::new();
    // A method's reply goes before the signals it causes only where BlueZ's does; here every
    // signal describes a state the reply reports as reached, so signals first.
    sent.extend(out.into_iter().map(Out::Now));
    if let Some(reply) = reply {
        sent.push(Out::Now(reply));
    }
    sent
}

fn no_object(call: &Message, object: &str) -> Message {
    error(
        call,
        "org.freedesktop.DBus.Error.UnknownObject",
        &format!("no object at {object}"),
    )
}

fn introspect(state: &State, call: &Message, object: &str) -> Option<Message> {
    let Some((interface, children)) = state.object(object) else {
        return Some(no_object(call, object));
    };
    let mut xml = String::from("<node>");
    for name in [INTROSPECTABLE, PROPERTIES]
        .into_iter()
        .chain(interface.map(|(name, _)| name))
    {
        xml.push_str(&format!("<interface name=\"{name}\"/>"));
    }
    if object == "/" {
        xml.push_str(&format!("<interface name=\"{OBJECT_MANAGER}\"/>"));
    }
    for child in children {
        xml.push_str(&format!("<node name=\"{child}\"/>"));
    }
    xml.push_str("</node>");
    Some(call.method_return().append1(xml))
}

/// The properties of `interface` at `object`, or the error to answer.
fn properties(
    state: &State,
    call: &Message,
    object: &str,
    interface: &str,
) -> Result<PropMap, Message> {
    match state.object(object) {
        None => Err(no_object(call, object)),
        Some((Some((name, properties)), _)) if name == interface => Ok(properties),
        Some(_) => Err(error(
            call,
            "org.freedesktop.DBus.Error.InvalidArgs",
            &format!("no interface {interface} at {object}"),
        )),
    }
}

fn get(state: &State, call: &Message, object: &str) -> Option<Message> {
    let Ok((interface, name)) = call.read2::<&str, &str>() else {
        return Some(error(
            call,
            "org.freedesktop.DBus.Error.InvalidArgs",
            "Get takes an interface and a name",
        ));
    };
    Some(match properties(state, call, object, interface) {
        Err(reply) => reply,
        Ok(mut map) => match map.remove(name) {
            Some(value) => call.method_return().append1(value),
            None => error(
                call,
                "org.freedesktop.DBus.Error.InvalidArgs",
                &format!("no property {name}"),
            ),
        },
    })
}

fn get_all(state: &State, call: &Message, object: &str) -> Option<Message> {
    let Ok(interface) = call.read1::<&str>() else {
        return Some(error(
            call,
            "org.freedesktop.DBus.Error.InvalidArgs",
            "GetAll takes an interface",
        ));
    };
    Some(match properties(state, call, object, interface) {
        Err(reply) => reply,
        Ok(map) => call.method_return().append1(map),
    })
}

fn set(state: &mut State, call: &Message, object: &str, out: &mut Vec<Message>) -> Option<Message> {
    let Ok((interface, name, value)) = call.read3::<&str, &str, Variant<Box<dyn RefArg>>>() else {
        return Some(error(
            call,
            "org.freedesktop.DBus.Error.InvalidArgs",
            "Set takes an interface, a name and a value",
        ));
    };
    let flag = dbus::arg::cast::<bool>(&value.0).copied();
    match (object, interface, name, flag) {
        (ADAPTER, ..) if !state.adapter => Some(no_object(call, object)),
        (ADAPTER, ADAPTER1, "Powered", Some(on)) => {
            if on && !state.powered && state.power_blocked {
                return Some(error(
                    call,
                    "org.bluez.Error.Blocked",
                    "Blocked through rfkill",
                ));
            }
            state.set_powered(on, out);
            Some(call.method_return())
        }
        (_, DEVICE1, "Trusted", Some(trusted)) => match state.device_at_mut(object) {
            Some(device) => {
                if device.trusted != trusted {
                    device.trusted = trusted;
                    out.push(changed(
                        object,
                        DEVICE1,
                        PropMap::from([("Trusted".to_owned(), variant(trusted))]),
                    ));
                }
                Some(call.method_return())
            }
            None => Some(no_object(call, object)),
        },
        _ => Some(error(
            call,
            "org.freedesktop.DBus.Error.PropertyReadOnly",
            &format!("{interface}.{name} cannot be set here"),
        )),
    }
}

fn adapter(
    state: &mut State,
    call: &Message,
    member: &str,
    out: &mut Vec<Message>,
) -> Option<Message> {
    Some(match member {
        "StartDiscovery" | "StopDiscovery" => {
            let client = call.sender().map(|s| s.to_string()).unwrap_or_default();
            let done = if member == "StartDiscovery" {
                state.start_discovery(&client, out)
            } else {
                state.stop_discovery(&client, out)
            };
            match done {
                Ok(()) => call.method_return(),
                Err((name, text)) => error(call, name, text),
            }
        }
        "SetDiscoveryFilter" => match call.read1::<PropMap>() {
            Ok(filter) => {
                let mut entries: Vec<String> = filter
                    .iter()
                    .map(|(key, value)| format!("{key}={:?}", value.0))
                    .collect();
                entries.sort();
                state.filters.push(entries.join(" "));
                call.method_return()
            }
            Err(_) => error(
                call,
                "org.bluez.Error.InvalidArguments",
                "Invalid arguments",
            ),
        },
        "GetDiscoveryFilters" => call.method_return().append1(vec![
            "UUIDs".to_owned(),
            "RSSI".to_owned(),
            "Pathloss".to_owned(),
            "Transport".to_owned(),
            "DuplicateData".to_owned(),
            "Discoverable".to_owned(),
            "Pattern".to_owned(),
        ]),
        "RemoveDevice" => match call.read1::<dbus::Path>() {
            Ok(path) => match state.device_at_mut(&path) {
                Some(device) => {
                    device.unexport(out);
                    call.method_return()
                }
                None => error(call, "org.bluez.Error.DoesNotExist", "Does Not Exist"),
            },
            Err(_) => error(
                call,
                "org.bluez.Error.InvalidArguments",
                "Invalid arguments",
            ),
        },
        _ => error(
            call,
            "org.freedesktop.DBus.Error.UnknownMethod",
            &format!("no method {member} of {ADAPTER1}"),
        ),
    })
}

fn device(
    state: &mut State,
    call: &Message,
    object: &str,
    member: &str,
    out: &mut Vec<Message>,
) -> Option<Message> {
    let powered = state.powered;
    let Some(device) = state.device_at_mut(object) else {
        return Some(no_object(call, object));
    };
    Some(match member {
        "Connect" => {
            if device.connected {
                return Some(error(
                    call,
                    "org.bluez.Error.AlreadyConnected",
                    "Already Connected",
                ));
            }
            if !powered {
                return Some(error(
                    call,
                    "org.bluez.Error.NotReady",
                    "Resource Not Ready",
                ));
            }
            if !device.in_range || device.spec.faults.connect_fails {
                return Some(error(
                    call,
                    "org.bluez.Error.Failed",
                    "le-connection-abort-by-local",
                ));
            }
            if device.spec.faults.connect_hangs {
                // Answered only if a Disconnect cancels it, as BlueZ answers a cancelled one.
                device.held.push(error(
                    call,
                    "org.bluez.Error.Failed",
                    "le-connection-abort-by-local",
                ));
                return None;
            }
            device.connect(out);
            call.method_return()
        }
        "Disconnect" => {
            device.disconnect(out);
            call.method_return()
        }
        _ => error(
            call,
            "org.bluez.Error.NotSupported",
            &format!("{member} is not simulated"),
        ),
    })
}

fn characteristic(state: &mut State, call: &Message, object: &str, member: &str) -> Vec<Out> {
    let now = |message: Message| vec![Out::Now(message)];
    let Some(device) = state.owner_mut(object) else {
        return now(no_object(call, object));
    };
    let Some(uuid) = device
        .services
        .iter()
        .flat_map(|s| s.characteristics.iter())
        .find(|c| c.path == object)
        .map(|c| c.uuid)
    else {
        return now(no_object(call, object));
    };
    match member {
        "WriteValue" => {
            let Ok((data, options)) = call.read2::<Vec<u8>, PropMap>() else {
                return now(error(
                    call,
                    "org.bluez.Error.InvalidArguments",
                    "Invalid arguments",
                ));
            };
            let kind = match options.get("type").and_then(|v| v.0.as_str()) {
                Some("request") => WriteKind::Request,
                Some("command") => WriteKind::Command,
                Some("reliable") => WriteKind::Reliable,
                _ => WriteKind::Unspecified,
            };
            device.log.push(Operation::Write {
                characteristic: uuid,
                data: data.clone(),
                kind,
            });
            let mut messages = Vec::new();
            if device.spec.faults.failing_writes > 0 {
                device.spec.faults.failing_writes -= 1;
                messages.push(error(call, "org.bluez.Error.Failed", "Operation failed"));
            } else {
                if let Some(live) = device.characteristic(uuid) {
                    live.value = data.clone();
                }
                messages.push(call.method_return());
                let answers: Vec<_> = device
                    .spec
                    .replies
                    .iter()
                    .filter(|r| r.on == uuid && r.when == data)
                    .take(1)
                    .map(|r| (r.notify, r.with.clone()))
                    .collect();
                for (notify, with) in answers {
                    device.notify(notify, &with, &mut messages);
                }
            }
            let latency = device.spec.faults.write_latency;
            if latency.is_zero() {
                messages.into_iter().map(Out::Now).collect()
            } else {
                vec![Out::Later(latency, messages)]
            }
        }
        "ReadValue" => {
            device.log.push(Operation::Read {
                characteristic: uuid,
            });
            let queued = device.reads.get_mut(&uuid).and_then(|q| q.pop_front());
            let value = match queued {
                Some(value) => value,
                None => device
                    .characteristic(uuid)
                    .map(|c| c.value.clone())
                    .unwrap_or_default(),
            };
            now(call.method_return().append1(value))
        }
        "StartNotify" => {
            device.log.push(Operation::Subscribe {
                characteristic: uuid,
            });
            let mut messages = Vec::new();
            if let Some(live) = device.characteristic(uuid)
                && !live.notifying
            {
                live.notifying = true;
                messages.push(changed(
                    object,
                    CHARACTERISTIC1,
                    PropMap::from([("Notifying".to_owned(), variant(true))]),
                ));
            }
            messages.push(call.method_return());
            messages.into_iter().map(Out::Now).collect()
        }
        "StopNotify" => {
            device.log.push(Operation::Unsubscribe {
                characteristic: uuid,
            });
            let Some(live) = device.characteristic(uuid) else {
                return now(no_object(call, object));
            };
            if !live.notifying {
                return now(error(
                    call,
                    "org.bluez.Error.Failed",
                    "No notify session started",
                ));
            }
            live.notifying = false;
            vec![
                Out::Now(changed(
                    object,
                    CHARACTERISTIC1,
                    PropMap::from([("Notifying".to_owned(), variant(false))]),
                )),
                Out::Now(call.method_return()),
            ]
        }
        _ => now(error(
            call,
            "org.bluez.Error.NotSupported",
            &format!("{member} is not simulated"),
        )),
    }
}
