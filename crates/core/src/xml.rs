//! Reading the text of XML (a Word document's runs, a platform's pushed message):
//! the one place an entity reference (`&amp;`, `&#x4E2D;`) becomes its character.

use quick_xml::events::BytesRef;

/// The character an entity reference stands for: a character reference, or one of
/// XML's five predefined entities. `None` for any other name (an entity of a DTD,
/// which these readers neither load nor guess), so the reference is left out.
pub fn reference_char(r: &BytesRef<'_>) -> Option<char> {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return Some(c);
    }
    match r.xml10_content().as_ref() {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::events::Event;

    #[test]
    fn references_are_read_and_unknown_names_left_out() {
        let mut reader = quick_xml::Reader::from_str(
            "<t>&amp;&lt;&gt;&quot;&apos;&#x4E2D;&#25991;&nbsp;&#xZZ;</t>",
        );
        let mut out = String::new();
        loop {
            match reader.read_event().unwrap() {
                Event::GeneralRef(r) => out.extend(reference_char(&r)),
                Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(out, "&<>\"'中文");
    }
}
