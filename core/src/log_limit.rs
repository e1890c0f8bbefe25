//! Log lines a stranger can cause (a refused connection, a failed accept, a connection pushed
//! out), bounded per window of time; each line that is logged says how many went unsaid
//! before it. And strings a stranger chose, shortened for a log line.

use std::time::Duration;

use crate::sync::Mutex;
use tokio::time::Instant;

/// The most characters of a stranger's string (an identifier, an address) put in a log line.
pub const SHOWN_CHARS: usize = 64;
/// The most characters of a message that may carry a stranger's strings (an error's chain).
pub const SAID_CHARS: usize = 256;

/// At most `lines` log lines per `window`.
pub struct LogLimit {
    lines: u32,
    window: Duration,
    state: Mutex<Window>,
}

struct Window {
    /// When the current window began; `None` before the first line.
    began: Option<Instant>,
    /// Lines logged in it.
    logged: u32,
    /// Lines not logged since the last one that was.
    unsaid: u64,
}

impl LogLimit {
    /// A limit of `lines` per `window`.
    pub const fn new(lines: u32, window: Duration) -> Self {
        Self {
            lines,
            window,
            state: Mutex::new(Window {
                began: None,
                logged: 0,
                unsaid: 0,
            }),
        }
    }

    /// [`LogLimit::admit`] at the current time.
    pub fn admit_now(&self) -> Option<u64> {
        self.admit(Instant::now())
    }

    /// Whether to log a line now; if so, how many went unsaid before it.
    pub fn admit(&self, now: Instant) -> Option<u64> {
        let mut state = self.state.lock();
        if state
            .began
            .is_none_or(|began| now.saturating_duration_since(began) >= self.window)
        {
            state.began = Some(now);
            state.logged = 0;
        }
        if state.logged < self.lines {
            state.logged += 1;
            Some(std::mem::take(&mut state.unsaid))
        } else {
            state.unsaid += 1;
            None
        }
    }
}

/// `text` as a log line shows it: quoted and escaped (no line breaks or control characters
/// reach the log), and cut to its first [`SHOWN_CHARS`] characters.
pub fn shown(text: &str) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{:?}… ({} bytes)", &text[..cut], text.len()),
        None => format!("{text:?}"),
    }
}

/// A message that may carry a stranger's strings, for a log line: control characters escaped
/// and cut to its first [`SAID_CHARS`] characters.
pub fn said(text: &str) -> String {
    let mut line = String::with_capacity(text.len().min(SAID_CHARS + 8));
    for (n, c) in text.chars().enumerate() {
        if n == SAID_CHARS {
            line.push('…');
            break;
        }
        if c.is_control() {
            line.extend(c.escape_default());
        } else {
            line.push(c);
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_past_the_limit_are_counted_and_reported_with_the_next_window() {
        let limit = LogLimit::new(2, Duration::from_secs(10));
        let start = Instant::now();
        assert_eq!(limit.admit(start), Some(0));
        assert_eq!(limit.admit(start), Some(0));
        for _ in 0..1_000 {
            assert_eq!(limit.admit(start + Duration::from_secs(5)), None);
        }
        assert_eq!(limit.admit(start + Duration::from_secs(10)), Some(1_000));
        assert_eq!(limit.admit(start + Duration::from_secs(11)), Some(0));
        assert_eq!(limit.admit(start + Duration::from_secs(12)), None);
    }

    #[test]
    fn a_strangers_string_is_escaped_and_cut() {
        assert_eq!(shown("LVSDevice"), "\"LVSDevice\"");
        assert_eq!(shown("a\nb"), "\"a\\nb\"");
        let long = "é".repeat(1_000);
        let line = shown(&long);
        assert!(line.starts_with(&format!("\"{}\"…", "é".repeat(SHOWN_CHARS))));
        assert!(line.ends_with("(2000 bytes)"));
        assert_eq!(said("refused: \"x\"\r\n"), "refused: \"x\"\\r\\n");
        assert_eq!(said(&"x".repeat(1_000)).chars().count(), SAID_CHARS + 1);
    }
}
