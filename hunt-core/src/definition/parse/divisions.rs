//! The `[[division]]` tables.

use toml::de::DeValue;

use super::super::keys::{self, Key};
use super::super::location::Site;
use super::super::spec::DivisionSpec;
use super::{Value, Walker};

impl Walker<'_> {
    pub(super) fn divisions(&mut self, value: &Value<'_>) -> Option<Vec<DivisionSpec>> {
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(value, "`division`", "an array of tables ([[division]])");
            return None;
        };
        let mut divisions = Vec::with_capacity(items.len());
        for item in items.iter() {
            let DeValue::Table(table) = item.get_ref() else {
                self.wrong_type(item, "each `division`", "a table");
                continue;
            };
            let k = u32::try_from(divisions.len()).unwrap_or(u32::MAX);
            self.map.record(Site::Division(k), item.span());
            let e = self.entries(
                table,
                Some(item.span()),
                keys::DIVISION,
                format!("in division #{}", u64::from(k) + 1),
            );
            let field = |key| Site::DivisionField(k, key);
            let id = self.required(&e, Key::Id, field(Key::Id), Self::string);
            let affects_values = self.optional(
                &e,
                Key::AffectsValues,
                field(Key::AffectsValues),
                Self::boolean,
            );
            divisions.push(DivisionSpec {
                id: id.unwrap_or_default(),
                affects_values: affects_values.unwrap_or(true),
            });
        }
        Some(divisions)
    }
}
