//! Levels as the REST API writes them (a fraction of an output's range) to and from the steps
//! devices take.

use plugwire_core::message::Range;

use super::error::ApiError;

/// The step for `level`, a fraction of `range`: 0.0 is off (or the range's start), 1.0 its
/// top; a negative fraction reaches into a range below zero (a rotator turning the other way).
/// Rounded up as the Buttplug clients round, so a small level never becomes "off".
pub(crate) fn level_to_step(level: f64, range: Range) -> Result<i32, ApiError> {
    let lowest = if range.min < 0 { -1.0 } else { 0.0 };
    if !level.is_finite() || level < lowest || level > 1.0 {
        return Err(ApiError::BadRequest(format!(
            "level {level} is outside {lowest:.1}..=1.0"
        )));
    }
    let step = if level >= 0.0 {
        (level * f64::from(range.max)).ceil()
    } else {
        -(level.abs() * f64::from(range.min).abs()).ceil()
    };
    // In range by construction: |level| <= 1 times an i32 bound.
    Ok(step as i32)
}

/// The fraction of `range` that `step` is (the inverse of [`level_to_step`], before rounding).
pub(crate) fn step_to_level(step: i32, range: Range) -> f64 {
    let bound = if step < 0 { range.min } else { range.max };
    if bound == 0 {
        return 0.0;
    }
    f64::from(step) / f64::from(bound).abs()
}

/// A path's level, parsed: a plain decimal number.
pub(crate) fn parse_level(text: &str) -> Result<f64, ApiError> {
    text.parse::<f64>()
        .ok()
        .filter(|level| level.is_finite())
        .ok_or_else(|| ApiError::BadRequest(format!("level {text:?} is not a number")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_become_steps_rounded_up() {
        let vibrate = Range::new(0, 20);
        assert_eq!(level_to_step(0.0, vibrate).ok(), Some(0));
        assert_eq!(level_to_step(0.5, vibrate).ok(), Some(10));
        assert_eq!(level_to_step(0.01, vibrate).ok(), Some(1));
        assert_eq!(level_to_step(1.0, vibrate).ok(), Some(20));
        assert!(level_to_step(1.5, vibrate).is_err());
        assert!(level_to_step(-0.5, vibrate).is_err());
        let rotate = Range::new(-20, 20);
        assert_eq!(level_to_step(-0.5, rotate).ok(), Some(-10));
        assert!(level_to_step(f64::NAN, rotate).is_err());
        assert_eq!(step_to_level(-10, rotate), -0.5);
        assert_eq!(step_to_level(10, vibrate), 0.5);
        assert!(parse_level("half").is_err());
        assert!(parse_level("inf").is_err());
    }
}
