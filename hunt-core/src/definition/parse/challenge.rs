//! A `[[challenge]]` table, and its `partial` answers.

use toml::de::DeValue;

use super::super::ChallengeName;
use super::super::location::Site;
use super::super::spec::{ChallengeSpec, PartialSpec, UnlockSpec};
use super::{CHALLENGE_KEYS, LOCKED_VIEWS, Value, Walker};

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
            .find(|(k, _)| k.get_ref() == "id")
            .and_then(|(_, v)| v.get_ref().as_str());
        let name = ChallengeName(named_id.unwrap_or(""), index).to_string();
        let e = self.entries(
            table,
            Some(value.span()),
            CHALLENGE_KEYS,
            format!("in {name}"),
        );
        let field = |key| Site::Field(index, key);
        let id = self.required(&e, "id", field("id"), Self::string);
        let title = self.required(&e, "title", field("title"), Self::string);
        let content = self.optional(&e, "content", field("content"), Self::string);
        let round = self.optional(&e, "round", field("round"), Self::string);
        let meta = self.optional(&e, "meta", field("meta"), Self::boolean);
        let points = self.optional(&e, "points", field("points"), Self::integer);
        let scoring = self.optional(&e, "scoring", field("scoring"), |w, v, _, what| {
            w.scoring(v, Some(index), what)
        });
        let first_blood =
            self.optional(&e, "first_blood", field("first_blood"), |w, v, s, what| {
                w.first_blood(v, s, what, Some(index))
            });
        let answer_template = self.optional(
            &e,
            "answer_template",
            field("answer_template"),
            Self::string,
        );
        let attempts_reset =
            self.optional(&e, "attempts_reset", field("attempts_reset"), Self::span);
        let throttle = self.optional(&e, "throttle", field("throttle"), |w, v, _, what| {
            w.throttle(v, Some(index), what)
        });
        let answers = self.optional(&e, "answers", field("answers"), |w, v, s, what| {
            w.strings(v, s, what, |k| Site::Answer(index, k))
        });
        let sealed = self.optional(&e, "sealed", field("sealed"), |w, v, s, what| {
            w.strings(v, s, what, |k| Site::Sealed(index, k))
        });
        let normalization = self.optional(
            &e,
            "normalization",
            field("normalization"),
            Self::normalization,
        );
        let tie_break = self.optional(&e, "tie_break", field("tie_break"), Self::boolean);
        let max_attempts = self.optional(&e, "max_attempts", field("max_attempts"), Self::integer);
        let locked_view =
            self.optional(&e, "locked_view", field("locked_view"), |w, v, s, what| {
                w.choice(v, s, what, LOCKED_VIEWS)
            });
        let partial = e.get("partial").map_or_else(Vec::new, |v| {
            self.map.record(field("partial"), v.span());
            self.partials(v, index, &name)
        });
        let hints = e.get("hint").map_or_else(Vec::new, |v| {
            self.map.record(field("hint"), v.span());
            self.hints(v, index, &name)
        });
        let unlock = e.get("unlock").map_or(UnlockSpec::Always, |v| {
            self.map.record(field("unlock"), v.span());
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
            self.map.mark_broken(Site::Field(index, "partial"));
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
                &["answer", "reply"],
                format!("in a partial answer of {name}"),
            );
            let answer = self.required(&e, "answer", Site::PartialAnswer(index, k), Self::string);
            let reply = self.required(&e, "reply", Site::PartialReply(index, k), Self::string);
            if let (Some(answer), Some(reply)) = (answer, reply) {
                partials.push(PartialSpec { answer, reply });
            }
        }
        partials
    }
}
