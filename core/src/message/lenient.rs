//! `Lenient<M>`: decode one message of a batch without letting a bad one spoil the rest.
//!
//! A bad message still yields its name and Id when they can be read, so the server can answer
//! it with an Error carrying the right Id, as the protocol asks.

use std::sync::Arc;

use serde::de::{Deserialize, DeserializeOwned, Deserializer};
use serde_value::Value;

/// One message of a batch: decoded, or the reason it could not be.
#[derive(Debug, Clone, PartialEq)]
pub enum Lenient<M> {
    /// The message decoded.
    Valid(M),
    /// The message did not decode.
    Invalid(InvalidMessage),
}

/// What is known of a message that did not decode.
#[derive(Debug, Clone)]
pub struct InvalidMessage {
    /// The message's Id, when it could be read.
    pub id: Option<u32>,
    /// The message's name, when it is an object with one key.
    pub name: Option<String>,
    /// Why it did not decode.
    pub error: Arc<dyn std::error::Error + Send + Sync>,
}

impl PartialEq for InvalidMessage {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.name == other.name
            && self.error.to_string() == other.error.to_string()
    }
}

impl<'de, M: DeserializeOwned> Deserialize<'de> for Lenient<M> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Buffer the element in a format-neutral value first, so a typed failure leaves us
        // able to read the name and Id (any serde format works, not only JSON).
        let value = Value::deserialize(deserializer)?;
        let (name, id) = name_and_id(&value);
        Ok(match value.deserialize_into::<M>() {
            Ok(message) => Self::Valid(message),
            Err(error) => Self::Invalid(InvalidMessage {
                id,
                name,
                error: Arc::new(error),
            }),
        })
    }
}

/// Reads `{"Name": {"Id": n, ...}}`'s name and Id from a buffered value.
pub fn name_and_id(value: &Value) -> (Option<String>, Option<u32>) {
    let Value::Map(outer) = value else {
        return (None, id_of(value));
    };
    if outer.len() != 1 {
        return (None, id_of(value));
    }
    let Some((key, body)) = outer.iter().next() else {
        return (None, None);
    };
    let name = match key {
        Value::String(name) => Some(name.clone()),
        _ => None,
    };
    (name, id_of(body))
}

fn id_of(body: &Value) -> Option<u32> {
    let Value::Map(fields) = body else {
        return None;
    };
    let id = fields.get(&Value::String("Id".to_owned()))?;
    match *id {
        Value::U8(v) => Some(u32::from(v)),
        Value::U16(v) => Some(u32::from(v)),
        Value::U32(v) => Some(v),
        Value::U64(v) => u32::try_from(v).ok(),
        Value::I8(v) => u32::try_from(v).ok(),
        Value::I16(v) => u32::try_from(v).ok(),
        Value::I32(v) => u32::try_from(v).ok(),
        Value::I64(v) => u32::try_from(v).ok(),
        _ => None,
    }
}
