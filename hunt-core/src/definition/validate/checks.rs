//! The checks every kind of value shares: ids are slugs, texts fit their limit, numbers lie
//! in their range.

use std::fmt::Display;

use super::super::MAX_ID_BYTES;
use super::super::location::Site;
use super::super::problem::ProblemKind;
use super::Validator;
use crate::ids::is_slug;

impl Validator<'_, '_, '_> {
    pub(super) fn check_id(&mut self, id: &str, site: Site, what: &str) {
        if id.len() > MAX_ID_BYTES {
            self.report(
                ProblemKind::TooLong,
                &[site],
                format!(
                    "{what} `{id}` is {} bytes long; at most {MAX_ID_BYTES} are allowed",
                    id.len()
                ),
            );
        } else if !is_slug(id, MAX_ID_BYTES) {
            self.report(
                ProblemKind::BadId,
                &[site],
                format!(
                    "{what} `{id}` is not a slug: use a-z, 0-9, `-` and `_`, starting with a letter or digit"
                ),
            );
        }
    }

    pub(super) fn check_len(&mut self, text: &str, max: usize, site: Site, what: &dyn Display) {
        if text.len() > max && self.ok(site) {
            self.report(
                ProblemKind::TooLong,
                &[site],
                format!(
                    "{what} is {} bytes long; at most {max} are allowed",
                    text.len()
                ),
            );
        }
    }

    pub(super) fn check_range(
        &mut self,
        value: i64,
        min: i64,
        max: i64,
        site: Site,
        what: &dyn Display,
    ) -> bool {
        let fits = (min..=max).contains(&value);
        if !fits {
            self.report(
                ProblemKind::OutOfRange,
                &[site],
                format!("{what} is {value}; it must be from {min} to {max}"),
            );
        }
        fits
    }
}
