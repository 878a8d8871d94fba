//! Answer templates: a meta's answer built from the team's own feeder answers.
//!
//! `"{alpha}-{beta}"` accepts, for a team that answered `alpha` with "Sea" and `beta` with
//! "Otter", the submission "sea-otter" (under the meta's normalization). Each team's answer
//! is derived from what it solved, so chained challenges can feed their answers forward.

use crate::ids::ChallengeId;

use super::Normalization;

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplatePart {
    /// Text taken as written.
    Literal(String),
    /// The team's answer to this feeder.
    Feeder(ChallengeId),
}

/// A parsed template: literals and feeder references, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerTemplate {
    /// The pieces, in order.
    pub parts: Vec<TemplatePart>,
}

/// Why a template does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// A `{` without its `}`, or a `}` without its `{` (write `{{` and `}}` for braces).
    #[error("unbalanced brace at byte {0}: write {{{{ or }}}} for a literal brace")]
    Unbalanced(usize),
    /// A reference to a challenge that does not exist.
    #[error("`{{{0}}}` names no challenge")]
    UnknownFeeder(String),
    /// No feeder at all: a plain answer belongs in `answers`.
    #[error("the template refers to no feeder")]
    NoFeeder,
}

impl AnswerTemplate {
    /// Parses `text`, resolving each `{slug}` with `resolve`.
    pub fn parse(
        text: &str,
        mut resolve: impl FnMut(&str) -> Option<ChallengeId>,
    ) -> Result<Self, TemplateError> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text.char_indices().peekable();
        while let Some((at, c)) = rest.next() {
            match c {
                '{' if rest.peek().map(|(_, c)| *c) == Some('{') => {
                    rest.next();
                    literal.push('{');
                }
                '}' if rest.peek().map(|(_, c)| *c) == Some('}') => {
                    rest.next();
                    literal.push('}');
                }
                '{' => {
                    let close = text[at..].find('}').ok_or(TemplateError::Unbalanced(at))?;
                    let slug = &text[at + 1..at + close];
                    if slug.contains('{') {
                        return Err(TemplateError::Unbalanced(at));
                    }
                    let feeder = resolve(slug.trim())
                        .ok_or_else(|| TemplateError::UnknownFeeder(slug.to_owned()))?;
                    if !literal.is_empty() {
                        parts.push(TemplatePart::Literal(std::mem::take(&mut literal)));
                    }
                    parts.push(TemplatePart::Feeder(feeder));
                    while rest.peek().is_some_and(|(i, _)| *i <= at + close) {
                        rest.next();
                    }
                }
                '}' => return Err(TemplateError::Unbalanced(at)),
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(TemplatePart::Literal(literal));
        }
        if !parts.iter().any(|p| matches!(p, TemplatePart::Feeder(_))) {
            return Err(TemplateError::NoFeeder);
        }
        Ok(Self { parts })
    }

    /// The feeders referred to, in order (with repeats).
    pub fn feeders(&self) -> impl Iterator<Item = ChallengeId> + '_ {
        self.parts.iter().filter_map(|p| match p {
            TemplatePart::Feeder(id) => Some(*id),
            TemplatePart::Literal(_) => None,
        })
    }

    /// The accepted answer for a team, normalized with `normalization`: each feeder's answer
    /// is normalized on its own (so stray spaces around it do not matter), then the whole.
    /// `None` if the team has not answered a feeder.
    pub fn expand<'a>(
        &self,
        normalization: Normalization,
        answer_of: impl Fn(ChallengeId) -> Option<&'a str>,
    ) -> Option<String> {
        let mut expanded = String::new();
        for part in &self.parts {
            match part {
                TemplatePart::Literal(text) => expanded.push_str(text),
                TemplatePart::Feeder(id) => {
                    expanded.push_str(&normalization.apply(answer_of(*id)?))
                }
            }
        }
        Some(normalization.apply(&expanded))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(slug: &str) -> Option<ChallengeId> {
        match slug {
            "alpha" => Some(ChallengeId(0)),
            "beta" => Some(ChallengeId(1)),
            _ => None,
        }
    }

    #[test]
    fn parses_literals_and_feeders() {
        let t = AnswerTemplate::parse("{alpha}-{ beta }{{x}}", resolve).unwrap();
        assert_eq!(
            t.parts,
            [
                TemplatePart::Feeder(ChallengeId(0)),
                TemplatePart::Literal("-".into()),
                TemplatePart::Feeder(ChallengeId(1)),
                TemplatePart::Literal("{x}".into()),
            ]
        );
        assert_eq!(
            t.feeders().collect::<Vec<_>>(),
            [ChallengeId(0), ChallengeId(1)]
        );
    }

    #[test]
    fn refuses_bad_templates() {
        assert_eq!(
            AnswerTemplate::parse("{alpha", resolve),
            Err(TemplateError::Unbalanced(0))
        );
        assert_eq!(
            AnswerTemplate::parse("x}", resolve),
            Err(TemplateError::Unbalanced(1))
        );
        assert_eq!(
            AnswerTemplate::parse("{gamma}", resolve),
            Err(TemplateError::UnknownFeeder("gamma".into()))
        );
        assert_eq!(
            AnswerTemplate::parse("plain", resolve),
            Err(TemplateError::NoFeeder)
        );
    }

    #[test]
    fn expands_each_teams_own_answers() {
        let t = AnswerTemplate::parse("{alpha} {beta}", resolve).unwrap();
        let answers = ["  Sea ", "OTTER"];
        let got = t.expand(Normalization::Caseless, |id| Some(answers[id.index()]));
        assert_eq!(got.as_deref(), Some("sea otter"));
        assert_eq!(t.expand(Normalization::Caseless, |_| None), None);
    }
}
