//! A challenge's own fields (title, content, round, points, attempts) and which of
//! `answers`, `sealed` and `answer_template` it gives; the answers themselves are checked in
//! `answers`.

use super::super::keys::Key;
use super::super::location::Site;
use super::super::problem::ProblemKind;
use super::super::spec::{ChallengeSpec, HuntSpec};
use super::super::{
    ChallengeName, MAX_ATTEMPTS, MAX_CONTENT_BYTES, MAX_POINTS, MAX_ROUND_BYTES, MAX_TITLE_BYTES,
};
use super::text::Text;
use super::{Context, Validator};
use crate::answer::{AnswerChecker, Normalization};

impl Validator<'_, '_, '_> {
    /// Checks one challenge's own fields and builds its answer checker.
    pub(super) fn challenge(
        &mut self,
        spec: &HuntSpec,
        c: &ChallengeSpec,
        i: u32,
        context: &Context<'_>,
    ) -> Option<AnswerChecker> {
        let Context { limits, rounds, .. } = *context;
        let name = ChallengeName(&c.id, i);
        let field = |key| Site::Field(i, key);
        self.check_len(
            &c.title,
            MAX_TITLE_BYTES,
            field(Key::Title),
            &format_args!("the title of {name}"),
        );
        self.check_text(
            &c.title,
            Text::Line,
            &[field(Key::Title)],
            &format_args!("the title of {name}"),
        );
        self.check_len(
            &c.content,
            MAX_CONTENT_BYTES,
            field(Key::Content),
            &format_args!("the content of {name}"),
        );
        self.check_text(
            &c.content,
            Text::Content,
            &[field(Key::Content)],
            &format_args!("the content of {name}"),
        );
        if let Some(round) = &c.round
            && rounds[i as usize].is_some()
            && self.ok(field(Key::Round))
        {
            if round.is_empty() {
                self.report(
                    ProblemKind::BadValue,
                    &[field(Key::Round)],
                    format!("the round of {name} is empty; leave `round` out instead"),
                );
            }
            self.check_len(
                round,
                MAX_ROUND_BYTES,
                field(Key::Round),
                &format_args!("the round of {name}"),
            );
            self.check_text(
                round,
                Text::Line,
                &[field(Key::Round)],
                &format_args!("the round of {name}"),
            );
        }
        if let Some(points) = c.points
            && self.ok(field(Key::Points))
        {
            self.check_range(
                points,
                0,
                MAX_POINTS,
                field(Key::Points),
                &format_args!("`points` of {name}"),
            );
        }
        if let Some(max_attempts) = c.max_attempts
            && self.ok(field(Key::MaxAttempts))
        {
            self.check_range(
                max_attempts,
                1,
                MAX_ATTEMPTS,
                field(Key::MaxAttempts),
                &format_args!("`max_attempts` of {name}"),
            );
        }

        let normalization = c.normalization.unwrap_or(spec.normalization);
        let answers_ok = self.ok(field(Key::Answers));
        let sealed_ok = self.ok(field(Key::Sealed));
        let template_ok = self.ok(field(Key::AnswerTemplate));
        let given: Vec<&str> = [
            (!c.answers.is_empty(), "`answers`"),
            (!c.sealed.is_empty(), "`sealed`"),
            (c.answer_template.is_some(), "`answer_template`"),
        ]
        .into_iter()
        .filter_map(|(given, key)| given.then_some(key))
        .collect();
        if given.is_empty() {
            if answers_ok && sealed_ok && template_ok {
                self.report(
                    ProblemKind::NoAnswers,
                    &[field(Key::Answers), field(Key::Sealed), Site::Challenge(i)],
                    format!("{name} has no answers: give `answers`, `sealed` or `answer_template`"),
                );
            }
            return None;
        }
        if given.len() > 1 {
            let message = if c.answer_template.is_none() {
                format!("{name} has both `answers` and `sealed`; give one of them")
            } else {
                format!(
                    "{name} has {}; give one of `answers`, `sealed` and `answer_template`",
                    given.join(" and ")
                )
            };
            let site = if c.answer_template.is_some() {
                field(Key::AnswerTemplate)
            } else {
                field(Key::Sealed)
            };
            self.report(
                ProblemKind::MixedAnswers,
                &[site, Site::Challenge(i)],
                message,
            );
            return None;
        }
        let accepted = if let Some(template) = &c.answer_template {
            if !template_ok {
                return None;
            }
            self.template(template, i, name, normalization, context)
        } else if c.sealed.is_empty() {
            self.answers(c, i, name, normalization, limits)
        } else if normalization == Normalization::Regex {
            self.report(
                ProblemKind::SealedRegex,
                &[
                    field(Key::Sealed),
                    field(Key::Normalization),
                    Site::Challenge(i),
                ],
                format!("{name}: regex answers cannot be sealed"),
            );
            None
        } else {
            self.sealed(c, i, name)
        };
        let partials = self.partials(c, i, name, normalization, limits, accepted.as_ref());
        Some(AnswerChecker {
            normalization,
            accepted: accepted?,
            partials: partials?,
        })
    }
}
