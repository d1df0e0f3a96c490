//! Scores in exact tenths of a point.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A number of points, held as an integer count of tenths.
///
/// The seed's tables use whole points only, but regional sets sometimes deduct
/// half points; tenths cover both while keeping every sum, cap and comparison in
/// integer arithmetic, so “exactly 60” and “exactly 80” are never off by a float
/// rounding. Files and JSON carry ordinary numbers (`5`, `0.5`); a whole number is
/// written without a fraction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Points(i64);

impl Points {
    /// Zero points.
    pub const ZERO: Points = Points(0);

    /// Whole points.
    pub const fn whole(points: i64) -> Points {
        Points(points.saturating_mul(10))
    }

    /// Tenths of a point.
    pub const fn from_tenths(tenths: i64) -> Points {
        Points(tenths)
    }

    /// The value in tenths of a point.
    pub const fn tenths(self) -> i64 {
        self.0
    }

    /// `self × count`, saturating (a finding count can be any `u32`).
    pub fn times(self, count: u64) -> Points {
        let count = i64::try_from(count).unwrap_or(i64::MAX);
        Points(self.0.saturating_mul(count))
    }

    pub fn saturating_add(self, other: Points) -> Points {
        Points(self.0.saturating_add(other.0))
    }

    pub fn saturating_sub(self, other: Points) -> Points {
        Points(self.0.saturating_sub(other.0))
    }

    /// Parses a number from a file: a whole number or a decimal with at most one
    /// digit after the point. Returns `None` for anything finer or out of range.
    pub fn from_f64(value: f64) -> Option<Points> {
        let tenths = (value * 10.0).round();
        // A value like 0.5 or 2.3 is within float noise of a whole number of tenths;
        // 0.25 is not and is refused rather than silently rounded.
        if !tenths.is_finite() || (value * 10.0 - tenths).abs() > 1e-6 || tenths.abs() > 1e15 {
            return None;
        }
        Some(Points(tenths as i64))
    }
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        if abs.is_multiple_of(10) {
            write!(f, "{sign}{}", abs / 10)
        } else {
            write!(f, "{sign}{}.{}", abs / 10, abs % 10)
        }
    }
}

impl Serialize for Points {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0 % 10 == 0 {
            serializer.serialize_i64(self.0 / 10)
        } else {
            serializer.serialize_f64(self.0 as f64 / 10.0)
        }
    }
}

impl<'de> Deserialize<'de> for Points {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            Float(f64),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Int(n) if n.checked_mul(10).is_some() => Ok(Points(n * 10)),
            Raw::Int(n) => Err(serde::de::Error::custom(format!("分值 {n} 超出范围"))),
            Raw::Float(x) => Points::from_f64(x).ok_or_else(|| {
                serde::de::Error::custom(format!("分值 {x} 无效：最多保留一位小数"))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_json_keep_whole_numbers_whole() {
        assert_eq!(Points::whole(5).to_string(), "5");
        assert_eq!(Points::from_tenths(5).to_string(), "0.5");
        assert_eq!(Points::from_tenths(-15).to_string(), "-1.5");
        assert_eq!(serde_json::to_string(&Points::whole(10)).unwrap(), "10");
        assert_eq!(
            serde_json::to_string(&Points::from_tenths(23)).unwrap(),
            "2.3"
        );
    }

    #[test]
    fn parsing_accepts_tenths_and_refuses_finer() {
        let p: Points = serde_json::from_str("0.5").unwrap();
        assert_eq!(p, Points::from_tenths(5));
        let p: Points = serde_json::from_str("2.3").unwrap();
        assert_eq!(p, Points::from_tenths(23));
        let p: Points = serde_json::from_str("7").unwrap();
        assert_eq!(p, Points::whole(7));
        assert!(serde_json::from_str::<Points>("0.25").is_err());
    }
}
