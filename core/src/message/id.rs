//! Message Ids.

/// A message Id: chosen by the client, 1 or above; 0 marks events the server sends on its own.
pub type MessageId = u32;

/// Id of messages the server sends on its own (device changes, scanning finished, readings).
pub const EVENT_ID: MessageId = 0;
