//! The protocol spec versions plugwire speaks.

use super::legacy::RequestServerInfoAny;

/// The protocol spec versions plugwire speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum SpecVersion {
    V0,
    V1,
    V2,
    V3,
    V4,
}

impl SpecVersion {
    /// The newest version plugwire speaks.
    pub const NEWEST: SpecVersion = SpecVersion::V4;

    /// Every version plugwire speaks, oldest first.
    pub const ALL: [SpecVersion; 5] = [Self::V0, Self::V1, Self::V2, Self::V3, Self::V4];

    /// How many versions plugwire speaks.
    pub const COUNT: usize = Self::ALL.len();

    /// A distinct number below [`Self::COUNT`] for each version, for tables indexed by version.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The version's number.
    pub fn number(self) -> u32 {
        match self {
            Self::V0 => 0,
            Self::V1 => 1,
            Self::V2 => 2,
            Self::V3 => 3,
            Self::V4 => 4,
        }
    }

    /// The version numbered `number`, if plugwire speaks it.
    pub fn from_number(number: u32) -> Option<Self> {
        Some(match number {
            0 => Self::V0,
            1 => Self::V1,
            2 => Self::V2,
            3 => Self::V3,
            4 => Self::V4,
            _ => return None,
        })
    }

    /// The version a `RequestServerInfo` asks for.
    ///
    /// `Err` carries the number asked for when it is newer than plugwire knows.
    pub fn requested_by(request: &RequestServerInfoAny) -> Result<Self, u32> {
        let number = request
            .protocol_version_major
            .or(request.message_version)
            .unwrap_or(0);
        Self::from_number(number).ok_or(number)
    }
}

impl std::fmt::Display for SpecVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "v{}", self.number())
    }
}
