//! The `[[challenge.hint]]` tables of a challenge.

use toml::de::DeValue;

use super::super::keys::{self, Key};
use super::super::location::Site;
use super::super::spec::HintSpec;
use super::{Value, Walker};

impl Walker<'_> {
    pub(super) fn hints(&mut self, value: &Value<'_>, index: u32, name: &str) -> Vec<HintSpec> {
        let what = format!("`hint` of {name}");
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(value, &what, "an array of tables ([[challenge.hint]])");
            self.map.mark_broken(Site::Field(index, Key::Hint));
            return Vec::new();
        };
        let mut hints = Vec::new();
        for item in items.iter() {
            let DeValue::Table(table) = item.get_ref() else {
                self.wrong_type(item, &format!("each {what}"), "a table");
                continue;
            };
            let k = u32::try_from(hints.len()).unwrap_or(u32::MAX);
            self.map.record(Site::Hint(index, k), item.span());
            let e = self.entries(
                table,
                Some(item.span()),
                keys::HINT,
                format!("in hint #{} of {name}", u64::from(k) + 1),
            );
            let field = |key| Site::HintField(index, k, key);
            let id = self.required(&e, Key::Id, field(Key::Id), Self::string);
            let content = self.required(&e, Key::Content, field(Key::Content), Self::string);
            let cost = self.optional(&e, Key::Cost, field(Key::Cost), Self::integer);
            let requires = self.optional(&e, Key::Requires, field(Key::Requires), Self::string);
            // Kept even when broken, so later hints keep their positions.
            hints.push(HintSpec {
                id: id.unwrap_or_default(),
                content: content.unwrap_or_default(),
                cost: cost.unwrap_or(0),
                requires,
            });
        }
        hints
    }
}
