//! A `scoring` table and a `first_blood` list, of the hunt or of a challenge.

use toml::de::DeValue;

use super::super::keys::{self, Key};
use super::super::location::Site;
use super::super::spec::{ScoringKind, ScoringSpec};
use super::{Value, Walker};
use crate::scoring::ValueMode;

const VALUE_MODES: &[(&str, ValueMode)] = &[
    ("retroactive", ValueMode::Retroactive),
    ("capture-time", ValueMode::CaptureTime),
];

impl Walker<'_> {
    /// A `scoring` table of the hunt (`owner` `None`) or of a challenge.
    pub(super) fn scoring(
        &mut self,
        value: &Value<'_>,
        owner: Option<u32>,
        what: &str,
    ) -> Option<ScoringSpec> {
        let DeValue::Table(table) = value.get_ref() else {
            self.wrong_type(value, what, "a table such as { rule = \"ctfd-log\", … }");
            return None;
        };
        let e = self.entries(
            table,
            Some(value.span()),
            keys::SCORING,
            format!("in {what}"),
        );
        let site = |key| Site::key(owner, key);
        let kinds = ScoringKind::ALL;
        let rule = self.required(
            &e,
            Key::ScoringRule,
            site(Key::ScoringRule),
            |w, v, s, what| w.choice(v, s, what, &kinds),
        );
        let int = |w: &mut Self, key| w.optional(&e, key, site(key), Self::integer);
        let points = int(self, Key::ScoringPoints);
        let initial = int(self, Key::ScoringInitial);
        let minimum = int(self, Key::ScoringMinimum);
        let decay = int(self, Key::ScoringDecay);
        let max = int(self, Key::ScoringMax);
        let min = int(self, Key::ScoringMin);
        let original = int(self, Key::ScoringOriginal);
        let min_ratio = self.optional(
            &e,
            Key::ScoringMinRatio,
            site(Key::ScoringMinRatio),
            Self::float,
        );
        let difficulty = self.optional(
            &e,
            Key::ScoringDifficulty,
            site(Key::ScoringDifficulty),
            Self::float,
        );
        let mode = self.optional(
            &e,
            Key::ScoringMode,
            site(Key::ScoringMode),
            |w, v, s, what| w.choice(v, s, what, VALUE_MODES),
        );
        Some(ScoringSpec {
            rule: rule?,
            points,
            initial,
            minimum,
            decay,
            max,
            min,
            original,
            min_ratio,
            difficulty,
            mode: mode.unwrap_or_default(),
        })
    }

    /// A `first_blood` list; each entry's span is recorded under [`Site::FirstBlood`].
    pub(super) fn first_blood(
        &mut self,
        value: &Value<'_>,
        site: Site,
        what: &str,
        owner: Option<u32>,
    ) -> Option<Vec<i64>> {
        self.map.record(site, value.span());
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(value, what, "an array of percentages such as [5, 3, 1]");
            return None;
        };
        let mut bonuses = Vec::with_capacity(items.len());
        let mut ok = true;
        for item in items.iter() {
            let k = u32::try_from(bonuses.len()).unwrap_or(u32::MAX);
            match self.integer(
                item,
                Site::FirstBlood(owner, k),
                &format!("each entry of {what}"),
            ) {
                Some(percent) => bonuses.push(percent),
                None => ok = false,
            }
        }
        ok.then_some(bonuses)
    }
}
