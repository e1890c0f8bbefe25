//! Reading frames with serde_json alone: every batch in a frame, and why a frame that is not
//! a batch of messages failed (with the request's Id where it can still be found).

use plugwire_core::message::Batch;
use plugwire_core::{Decoded, SerializeError};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// [`decode_batches`](crate::decode_batches) with serde_json alone: the same result for every frame, without the
/// shortcut for a lone message holding only its Id (kept public so the fuzz target can
/// compare the two).
pub fn parse_batches<M: DeserializeOwned>(text: &[u8]) -> Decoded<M> {
    let mut decoded = Decoded::complete(Vec::new());
    let mut batches = serde_json::Deserializer::from_slice(text).into_iter::<Batch<M>>();
    loop {
        let start = batches.byte_offset();
        match batches.next() {
            None => break,
            Some(Ok(Batch(batch))) if batch.is_empty() => {
                decoded.error.get_or_insert(SerializeError::EmptyBatch);
            }
            // Most frames hold one batch: keep its vector rather than copy it into another.
            Some(Ok(Batch(batch))) if decoded.messages.is_empty() => decoded.messages = batch,
            Some(Ok(Batch(batch))) => decoded.messages.extend(batch),
            Some(Err(error)) => {
                // Nothing after a syntax fault can be trusted: report it and stop.
                decoded.error = Some(classify(&text[start..], error));
                break;
            }
        }
    }
    if decoded.messages.is_empty() && decoded.error.is_none() {
        decoded.error = Some(SerializeError::EmptyBatch);
    }
    decoded
}

/// Works out why `text` failed: not JSON at all, or JSON that is not an array of messages.
fn classify(text: &[u8], error: serde_json::Error) -> SerializeError {
    for value in serde_json::Deserializer::from_slice(text).into_iter::<Value>() {
        match value {
            Ok(Value::Array(_)) => continue,
            Ok(other) => {
                return SerializeError::NotABatch {
                    id: message_id(&other),
                };
            }
            Err(_) => break,
        }
    }
    SerializeError::Malformed {
        id: scan_id(text),
        source: Box::new(error),
    }
}

/// The Id of `{"Name": {"Id": n}}`.
fn message_id(value: &Value) -> Option<u32> {
    let object = value.as_object()?;
    let body = if object.len() == 1 {
        object.values().next()?
    } else {
        value
    };
    body.get("Id")?
        .as_u64()
        .and_then(|id| u32::try_from(id).ok())
}

/// Finds `"Id": n` in text that is not valid JSON, so a truncated or mangled request can
/// still be answered with its own Id. Only a single, unambiguous Id counts.
pub(crate) fn scan_id(text: &[u8]) -> Option<u32> {
    const KEY: &[u8] = b"\"Id\"";
    let mut found = None;
    let mut rest = text;
    while let Some(at) = rest.windows(KEY.len()).position(|w| w == KEY) {
        rest = &rest[at + KEY.len()..];
        // "Id" may also appear as a string value; only a key followed by a number counts.
        let Some(after_colon) = rest.trim_ascii_start().strip_prefix(b":") else {
            continue;
        };
        let after_colon = after_colon.trim_ascii_start();
        let digits = after_colon
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        // An Id key whose value is not a whole u32 (`1e400`, `1.5`, `-1`, a string, too
        // large) names no Id: the answer goes to Id 0, never to a number read off its start.
        let whole = !matches!(
            after_colon.get(digits),
            Some(b'.' | b'e' | b'E' | b'+' | b'-')
        );
        let id = std::str::from_utf8(&after_colon[..digits])
            .ok()
            .filter(|_| whole)
            .and_then(|digits| digits.parse().ok())?;
        if found.replace(id).is_some() {
            return None;
        }
    }
    found
}
