//! Closed sets of codes with a stable machine code and a Chinese label.
//!
//! The enums of the registry (platforms, statuses, unit kinds, …) are declared with
//! [`code_enum!`], which gives each variant a stable snake_case `code` (stored in the
//! database and used in the API and data files) and the Chinese `label` a clerk sees.
//! Parsing accepts either form, so an Excel sheet that says 微博 and a JSON body that
//! says `weibo` both work.

/// Error returned when a string is not one of the known codes or labels. Its message
/// names the allowed labels, so a clerk fixing a sheet knows what to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCode {
    pub what: &'static str,
    pub value: String,
    /// The labels the set accepts, in declaration order.
    pub allowed: &'static [&'static str],
}

impl std::fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.value.is_empty() {
            write!(f, "{}为空", self.what)?;
        } else {
            write!(f, "“{}”不是有效的{}", self.value, self.what)?;
        }
        write!(f, "，应为：{}", self.allowed.join("、"))
    }
}

impl std::error::Error for UnknownCode {}

/// Declares an enum of codes. See the module documentation.
#[macro_export]
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = ($code:literal, $label:literal) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant ),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// What the set is called, in Chinese, for error messages.
            pub const WHAT: &'static str = $what;
            /// Every variant's Chinese label, in declaration order.
            pub const LABELS: &'static [&'static str] = &[$($label),+];

            /// The stable machine code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Chinese label shown to users.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Parses a machine code or a Chinese label (surrounding spaces ignored).
            pub fn parse(value: &str) -> Result<Self, $crate::codes::UnknownCode> {
                let v = value.trim();
                $( if v == $code || v == $label { return Ok($name::$variant); } )+
                Err($crate::codes::UnknownCode { what: $what, value: v.to_string(), allowed: Self::LABELS })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::codes::UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> { Self::parse(s) }
        }
    };
}

#[cfg(test)]
mod tests {
    code_enum! {
        /// Test colours.
        Colour, "颜色" { Red = ("red", "红"), Blue = ("blue", "蓝") }
    }

    #[test]
    fn parses_code_and_label() {
        assert_eq!(Colour::parse("red"), Ok(Colour::Red));
        assert_eq!(Colour::parse(" 蓝 "), Ok(Colour::Blue));
        let err = Colour::parse("绿").unwrap_err();
        assert_eq!(err.to_string(), "“绿”不是有效的颜色，应为：红、蓝");
        assert_eq!(
            Colour::parse(" ").unwrap_err().to_string(),
            "颜色为空，应为：红、蓝"
        );
        assert_eq!(Colour::ALL.len(), 2);
        assert_eq!((Colour::WHAT, Colour::Red.code()), ("颜色", "red"));
        assert_eq!(serde_json::to_string(&Colour::Blue).unwrap(), "\"blue\"");
    }
}
