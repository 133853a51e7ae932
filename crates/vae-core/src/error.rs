//! What kind of failure an error is, for callers that act on it without reading its text:
//! the page rolls back after a non-finite loss, keeps its model when a file is refused, and
//! so on. The message stays the error's own (`Display`); the kind is a stable name.
use crate::checkpoint::CheckpointError;
use crate::data::{DataError, IdxError};
use crate::train::StepError;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The bound or its gradient is not finite: the update was not applied (AEVB
    /// Algorithm 1's step refused; the caller may roll back and lower the rate).
    NonFiniteLoss,
    /// Bytes that are not a checkpoint or training state of this program, or a damaged one.
    BadCheckpoint,
    /// A checkpoint or parameters of another architecture than the model's.
    ArchitectureMismatch,
    /// A setting out of its range, or a name that is no choice (`TrainConfig::validate`,
    /// `ModelConfig::validate`, the enums' `FromStr`).
    InvalidConfig,
    /// Data that cannot be used: idx files, images of the wrong size, NaN pixels.
    BadData,
    /// A request this model cannot serve (a posterior map of a one-dimensional latent) or
    /// outside a view's limits.
    Unsupported,
    /// A call's arguments do not fit each other (a worker index beyond K, a mask of the
    /// wrong length).
    InvalidArgument,
}

impl ErrorKind {
    /// Every kind, in declaration order.
    pub const ALL: [ErrorKind; 7] = [
        ErrorKind::NonFiniteLoss,
        ErrorKind::BadCheckpoint,
        ErrorKind::ArchitectureMismatch,
        ErrorKind::InvalidConfig,
        ErrorKind::BadData,
        ErrorKind::Unsupported,
        ErrorKind::InvalidArgument,
    ];

    /// The kind's name as JavaScript sees it (an `Error`'s `name`).
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::NonFiniteLoss => "NonFiniteLoss",
            ErrorKind::BadCheckpoint => "BadCheckpoint",
            ErrorKind::ArchitectureMismatch => "ArchitectureMismatch",
            ErrorKind::InvalidConfig => "InvalidConfig",
            ErrorKind::BadData => "BadData",
            ErrorKind::Unsupported => "Unsupported",
            ErrorKind::InvalidArgument => "InvalidArgument",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An error that knows its kind.
pub trait Kinded: fmt::Display {
    fn kind(&self) -> ErrorKind;
}

impl Kinded for StepError {
    fn kind(&self) -> ErrorKind {
        match self {
            StepError::NonFinite { .. } => ErrorKind::NonFiniteLoss,
        }
    }
}

impl Kinded for CheckpointError {
    fn kind(&self) -> ErrorKind {
        match self {
            CheckpointError::ArchitectureMismatch { .. } => ErrorKind::ArchitectureMismatch,
            // A state whose moments overflowed is refused like any damaged file: it is not a
            // loss, and the run's last good state stays.
            CheckpointError::TooLarge(_)
            | CheckpointError::Corrupt(_)
            | CheckpointError::MissingConfig
            | CheckpointError::UnknownFormat(_)
            | CheckpointError::BadConfig(_)
            | CheckpointError::MissingTensor(_)
            | CheckpointError::UnexpectedTensor(_)
            | CheckpointError::WrongShape { .. }
            | CheckpointError::WrongDtype { .. }
            | CheckpointError::NonFinite { .. } => ErrorKind::BadCheckpoint,
        }
    }
}

impl Kinded for DataError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::BadData
    }
}

impl Kinded for IdxError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::BadData
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_and_spelled_as_the_variants() {
        let names: HashSet<&str> = ErrorKind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(names.len(), ErrorKind::ALL.len());
        for k in ErrorKind::ALL {
            assert_eq!(format!("{k:?}"), k.name(), "the JS name is the Rust variant's");
        }
    }

    #[test]
    fn a_refused_step_is_a_non_finite_loss() {
        let e = StepError::NonFinite { step: 3, bound: f32::NAN };
        assert_eq!(e.kind(), ErrorKind::NonFiniteLoss);
    }

    #[test]
    fn checkpoints_of_another_architecture_are_told_apart_from_damaged_ones() {
        let other = CheckpointError::ArchitectureMismatch { expected: "a".into(), found: "b".into() };
        assert_eq!(other.kind(), ErrorKind::ArchitectureMismatch);
        for e in [
            CheckpointError::Corrupt("x".into()),
            CheckpointError::MissingConfig,
            CheckpointError::NonFinite { name: "m".into() },
            CheckpointError::BadConfig("x".into()),
        ] {
            assert_eq!(e.kind(), ErrorKind::BadCheckpoint, "{e}");
        }
    }

    #[test]
    fn real_parse_failures_have_their_kind() {
        let ck = crate::checkpoint::from_bytes(b"not a checkpoint").unwrap_err();
        assert_eq!(ck.kind(), ErrorKind::BadCheckpoint);
        let st = crate::state::TrainingState::from_bytes(&[0u8; 16]).unwrap_err();
        assert_eq!(st.kind(), ErrorKind::BadCheckpoint);
        let idx = crate::data::from_idx_bytes(&[0, 0, 8, 3], &[0, 0, 8, 1]).unwrap_err();
        assert_eq!(idx.kind(), ErrorKind::BadData);
    }
}
