//! Text that hunt front ends print: titles, content, hint content and partial replies may
//! not hold control characters, which would reach terminals raw (an ESC sequence can
//! rewrite the screen, a BEL rings). Content may hold newlines and tabs (and CRLF line ends);
//! titles nothing.

use std::fmt::Display;

use super::super::location::Site;
use super::super::problem::ProblemKind;
use super::Validator;

/// Which control characters a piece of text may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Text {
    /// One line: no control character at all.
    Line,
    /// Running text: newlines and tabs, and a carriage return only before a newline.
    Content,
}

impl Text {
    /// The first control character `text` may not hold, with its position in characters
    /// (from 1).
    fn forbidden(self, text: &str) -> Option<(usize, char)> {
        let mut chars = text.chars().enumerate().peekable();
        while let Some((i, c)) = chars.next() {
            let allowed = match (self, c) {
                (Text::Content, '\n' | '\t') => true,
                (Text::Content, '\r') => chars.peek().is_some_and(|(_, next)| *next == '\n'),
                _ => !c.is_control(),
            };
            if !allowed {
                return Some((i + 1, c));
            }
        }
        None
    }
}

/// How a control character is named in a message: `U+001B (ESC)`.
struct Named(char);

impl Display for Named {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const C0: [&str; 32] = [
            "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "TAB", "LF", "VT", "FF",
            "CR", "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM",
            "SUB", "ESC", "FS", "GS", "RS", "US",
        ];
        let code = u32::from(self.0);
        write!(f, "U+{code:04X}")?;
        match C0.get(code as usize) {
            Some(name) => write!(f, " ({name})"),
            None if code == 0x7F => f.write_str(" (DEL)"),
            None => Ok(()),
        }
    }
}

impl Validator<'_, '_, '_> {
    /// Reports a control character in `text` that `kind` does not allow, at the first of
    /// `sites` the source map knows.
    pub(super) fn check_text(
        &mut self,
        text: &str,
        kind: Text,
        sites: &[Site],
        what: &dyn Display,
    ) {
        if sites.first().is_some_and(|site| !self.ok(*site)) {
            return;
        }
        if let Some((at, c)) = kind.forbidden(text) {
            let allowed = match kind {
                Text::Line => "no control characters are allowed in it",
                Text::Content => "only newlines and tabs are allowed",
            };
            self.report(
                ProblemKind::BadValue,
                sites,
                format!(
                    "{what} contains the control character {} at character {at}, which would \
                     reach terminals raw; {allowed}",
                    Named(c)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_take_no_control_character_and_content_only_layout() {
        for (kind, text, expected) in [
            (Text::Line, "Plain title", None),
            (Text::Line, "Tab\there", Some((4, '\t'))),
            (Text::Line, "Bell\u{7}", Some((5, '\u{7}'))),
            (Text::Line, "C1 \u{9B}31m", Some((4, '\u{9B}'))),
            (Text::Content, "Line one\nline two\tindented", None),
            (Text::Content, "Windows\r\nline ends", None),
            (Text::Content, "A lone\rreturn", Some((7, '\r'))),
            (Text::Content, "trailing\r", Some((9, '\r'))),
            (Text::Content, "\u{1b}[2J cleared", Some((1, '\u{1b}'))),
            (Text::Content, "del\u{7f}", Some((4, '\u{7f}'))),
            (Text::Content, "ünïcödé ✓", None),
        ] {
            assert_eq!(kind.forbidden(text), expected, "{kind:?} {text:?}");
        }
    }

    #[test]
    fn control_characters_are_named() {
        assert_eq!(Named('\u{1b}').to_string(), "U+001B (ESC)");
        assert_eq!(Named('\u{7}').to_string(), "U+0007 (BEL)");
        assert_eq!(Named('\u{7f}').to_string(), "U+007F (DEL)");
        assert_eq!(Named('\u{9b}').to_string(), "U+009B");
    }
}
