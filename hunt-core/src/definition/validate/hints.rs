//! Hints: ids unique slugs within their challenge, content within its limit, costs in
//! range, and `requires` naming an earlier hint.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use super::super::keys::Key;
use super::super::location::Site;
use super::super::problem::ProblemKind;
use super::super::spec::HintSpec;
use super::super::{ChallengeName, MAX_CONTENT_BYTES, MAX_ID_BYTES, MAX_POINTS};
use super::text::Text;
use super::{Validator, to_u32};
use crate::hint::Hint;

impl Validator<'_, '_, '_> {
    /// Checks the hints of one challenge and compiles them, `requires` as indices.
    pub(super) fn hints(
        &mut self,
        hints: &[HintSpec],
        i: u32,
        name: ChallengeName<'_>,
    ) -> Option<Vec<Hint>> {
        if !self.ok(Site::Field(i, Key::Hint)) {
            return None;
        }
        let mut ok = true;
        let mut first: HashMap<&str, usize> = HashMap::with_capacity(hints.len());
        for (k, hint) in hints.iter().enumerate() {
            let id_site = Site::HintField(i, to_u32(k), Key::Id);
            if !self.ok(id_site) {
                ok = false;
                continue;
            }
            if hint.id.len() > MAX_ID_BYTES || !crate::ids::is_slug(&hint.id, MAX_ID_BYTES) {
                ok = false;
                self.check_id(&hint.id, id_site, "hint id");
            }
            match first.entry(hint.id.as_str()) {
                Entry::Vacant(entry) => {
                    entry.insert(k);
                }
                Entry::Occupied(entry) => {
                    ok = false;
                    let earlier = *entry.get();
                    self.report(
                        ProblemKind::DuplicateId,
                        &[id_site, Site::Hint(i, to_u32(k))],
                        format!(
                            "duplicate hint id `{}` in {name}, already used by hint #{}{}",
                            hint.id,
                            earlier + 1,
                            self.map
                                .line_suffix(Site::HintField(i, to_u32(earlier), Key::Id))
                        ),
                    );
                }
            }
        }
        let mut compiled = Vec::with_capacity(hints.len());
        for (k, hint) in hints.iter().enumerate() {
            let field = |key| Site::HintField(i, to_u32(k), key);
            let what = format_args!("hint `{}` of {name}", hint.id);
            self.check_text(
                &hint.content,
                Text::Content,
                &[field(Key::Content)],
                &format_args!("the content of {what}"),
            );
            if self.ok(field(Key::Content)) && hint.content.len() > MAX_CONTENT_BYTES {
                ok = false;
                self.check_len(
                    &hint.content,
                    MAX_CONTENT_BYTES,
                    field(Key::Content),
                    &format_args!("the content of {what}"),
                );
            }
            if !self.ok(field(Key::Cost)) {
                ok = false;
            } else {
                ok &= self.check_range(
                    hint.cost,
                    0,
                    MAX_POINTS,
                    field(Key::Cost),
                    &format_args!("the `cost` of {what}"),
                );
            }
            let requires = match &hint.requires {
                Some(_) if !self.ok(field(Key::Requires)) => {
                    ok = false;
                    None
                }
                Some(required) => match first.get(required.as_str()) {
                    None => {
                        ok = false;
                        self.report(
                            ProblemKind::UnknownReference,
                            &[field(Key::Requires), Site::Hint(i, to_u32(k))],
                            format!("{what} requires `{required}`, which is not a hint of it"),
                        );
                        None
                    }
                    Some(&j) if j >= k => {
                        ok = false;
                        let why = if j == k {
                            "itself".to_owned()
                        } else {
                            format!("hint #{}, which comes after it", j + 1)
                        };
                        self.report(
                            ProblemKind::BadValue,
                            &[field(Key::Requires), Site::Hint(i, to_u32(k))],
                            format!(
                                "{what} requires {why}; a hint can require only an earlier hint"
                            ),
                        );
                        None
                    }
                    Some(&j) => Some(j),
                },
                None => None,
            };
            compiled.push(Hint {
                slug: hint.id.clone(),
                content: hint.content.clone(),
                cost: hint.cost,
                requires,
            });
        }
        ok.then_some(compiled)
    }
}
