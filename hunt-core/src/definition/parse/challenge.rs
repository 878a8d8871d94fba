//! A `[[challenge]]` table, and its `partial` answers.

use toml::de::DeValue;

use super::super::ChallengeName;
use super::super::keys::{self, Key};
use super::super::location::Site;
use super::super::spec::{ChallengeSpec, PartialSpec, UnlockSpec};
use super::{LOCKED_VIEWS, Value, Walker};

impl Walker<'_> {
    pub(super) fn challenge(&mut self, value: &Value<'_>, index: u32) -> Option<ChallengeSpec> {
        let DeValue::Table(table) = value.get_ref() else {
            self.wrong_type(value, "each `challenge`", "a table");
            return None;
        };
        self.map.record(Site::Challenge(index), value.span());
        // The id first, to name the challenge in the messages about the other keys.
        let named_id = table
            .iter()
            .find(|(k, _)| k.get_ref() == Key::Id.name())
            .and_then(|(_, v)| v.get_ref().as_str());
        let name = ChallengeName(named_id.unwrap_or(""), index).to_string();
        let e = self.entries(
            table,
            Some(value.span()),
            keys::CHALLENGE,
            format!("in {name}"),
        );
        let field = |key| Site::Field(index, key);
        let id = self.required(&e, Key::Id, field(Key::Id), Self::string);
        let title = self.required(&e, Key::Title, field(Key::Title), Self::string);
        let content = self.optional(&e, Key::Content, field(Key::Content), Self::string);
        let round = self.optional(&e, Key::Round, field(Key::Round), Self::string);
        let meta = self.optional(&e, Key::Meta, field(Key::Meta), Self::boolean);
        let points = self.optional(&e, Key::Points, field(Key::Points), Self::integer);
        let scoring = self.optional(&e, Key::Scoring, field(Key::Scoring), |w, v, _, what| {
            w.scoring(v, Some(index), what)
        });
        let first_blood = self.optional(
            &e,
            Key::FirstBlood,
            field(Key::FirstBlood),
            |w, v, s, what| w.first_blood(v, s, what, Some(index)),
        );
        let answer_template = self.optional(
            &e,
            Key::AnswerTemplate,
            field(Key::AnswerTemplate),
            Self::string,
        );
        let attempts_reset = self.optional(
            &e,
            Key::AttemptsReset,
            field(Key::AttemptsReset),
            Self::span,
        );
        let throttle = self.optional(&e, Key::Throttle, field(Key::Throttle), |w, v, _, what| {
            w.throttle(v, Some(index), what)
        });
        let answers = self.optional(&e, Key::Answers, field(Key::Answers), |w, v, s, what| {
            w.strings(v, s, what, |k| Site::Answer(index, k))
        });
        let sealed = self.optional(&e, Key::Sealed, field(Key::Sealed), |w, v, s, what| {
            w.strings(v, s, what, |k| Site::Sealed(index, k))
        });
        let normalization = self.optional(
            &e,
            Key::Normalization,
            field(Key::Normalization),
            Self::normalization,
        );
        let tie_break = self.optional(&e, Key::TieBreak, field(Key::TieBreak), Self::boolean);
        let max_attempts =
            self.optional(&e, Key::MaxAttempts, field(Key::MaxAttempts), Self::integer);
        let locked_view = self.optional(
            &e,
            Key::LockedView,
            field(Key::LockedView),
            |w, v, s, what| w.choice(v, s, what, LOCKED_VIEWS),
        );
        let partial = e.get(Key::Partial).map_or_else(Vec::new, |v| {
            self.map.record(field(Key::Partial), v.span());
            self.partials(v, index, &name)
        });
        let hints = e.get(Key::Hint).map_or_else(Vec::new, |v| {
            self.map.record(field(Key::Hint), v.span());
            self.hints(v, index, &name)
        });
        let unlock = e.get(Key::Unlock).map_or(UnlockSpec::Always, |v| {
            self.map.record(field(Key::Unlock), v.span());
            let mut next = 0;
            self.rule(v, index, &name, &mut next, 1)
        });
        Some(ChallengeSpec {
            id: id.unwrap_or_default(),
            title: title.unwrap_or_default(),
            content: content.unwrap_or_default(),
            round,
            meta: meta.unwrap_or(false),
            points,
            scoring,
            first_blood,
            answers: answers.unwrap_or_default(),
            sealed: sealed.unwrap_or_default(),
            answer_template,
            normalization,
            tie_break: tie_break.unwrap_or(true),
            max_attempts,
            attempts_reset,
            throttle,
            locked_view,
            partial,
            hints,
            unlock,
        })
    }

    pub(super) fn partials(
        &mut self,
        value: &Value<'_>,
        index: u32,
        name: &str,
    ) -> Vec<PartialSpec> {
        let what = format!("`partial` of {name}");
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(value, &what, "an array of tables");
            self.map.mark_broken(Site::Field(index, Key::Partial));
            return Vec::new();
        };
        let mut partials = Vec::new();
        for item in items.iter() {
            let DeValue::Table(table) = item.get_ref() else {
                self.wrong_type(item, &format!("each {what}"), "a table");
                continue;
            };
            let k = u32::try_from(partials.len()).unwrap_or(u32::MAX);
            self.map.record(Site::Partial(index, k), item.span());
            let e = self.entries(
                table,
                Some(item.span()),
                keys::PARTIAL,
                format!("in a partial answer of {name}"),
            );
            let answer =
                self.required(&e, Key::Answer, Site::PartialAnswer(index, k), Self::string);
            let reply = self.required(&e, Key::Reply, Site::PartialReply(index, k), Self::string);
            if let (Some(answer), Some(reply)) = (answer, reply) {
                partials.push(PartialSpec { answer, reply });
            }
        }
        partials
    }
}
