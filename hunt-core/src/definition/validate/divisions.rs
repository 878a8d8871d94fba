//! Divisions: at most [`MAX_DIVISIONS`], with unique slug ids.

use std::collections::HashMap;

use super::super::keys::Key;
use super::super::location::Site;
use super::super::problem::ProblemKind;
use super::super::spec::DivisionSpec;
use super::super::{MAX_DIVISIONS, MAX_ID_BYTES};
use super::{Validator, to_u32};
use crate::hunt::Division;

impl Validator<'_, '_, '_> {
    /// Checks the declared divisions and compiles them.
    pub(super) fn divisions(&mut self, divisions: &[DivisionSpec]) -> Option<Vec<Division>> {
        if !self.ok(Site::Hunt(Key::Division)) {
            return None;
        }
        let mut ok = true;
        if divisions.len() > MAX_DIVISIONS {
            ok = false;
            self.report(
                ProblemKind::OutOfRange,
                &[
                    Site::Division(to_u32(MAX_DIVISIONS)),
                    Site::Hunt(Key::Division),
                ],
                format!(
                    "the hunt declares {} divisions; at most {MAX_DIVISIONS} are allowed",
                    divisions.len()
                ),
            );
        }
        let mut first: HashMap<&str, usize> = HashMap::with_capacity(divisions.len());
        for (k, division) in divisions.iter().enumerate() {
            let site = Site::DivisionField(to_u32(k), Key::Id);
            if !self.ok(site) {
                ok = false;
                continue;
            }
            if division.id.len() > MAX_ID_BYTES || !crate::ids::is_slug(&division.id, MAX_ID_BYTES)
            {
                ok = false;
                self.check_id(&division.id, site, "division id");
            }
            if let Some(&earlier) = first.get(division.id.as_str()) {
                ok = false;
                self.report(
                    ProblemKind::DuplicateId,
                    &[site, Site::Division(to_u32(k))],
                    format!(
                        "duplicate division id `{}`, already used by division #{}{}",
                        division.id,
                        earlier + 1,
                        self.map
                            .line_suffix(Site::DivisionField(to_u32(earlier), Key::Id))
                    ),
                );
            } else {
                first.insert(&division.id, k);
            }
            ok &= self.ok(Site::DivisionField(to_u32(k), Key::AffectsValues));
        }
        ok.then(|| {
            divisions
                .iter()
                .map(|d| Division {
                    name: d.id.clone(),
                    affects_values: d.affects_values,
                })
                .collect()
        })
    }
}
