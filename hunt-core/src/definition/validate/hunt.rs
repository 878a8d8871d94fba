//! The hunt's own fields: its id, title and `[limits]`, its window and freeze, the secret
//! fingerprint and the final meta.

use super::super::keys::Key;
use super::super::location::Site;
use super::super::problem::ProblemKind;
use super::super::spec::HuntSpec;
use super::super::{MAX_LIMIT, MAX_TITLE_BYTES};
use super::text::Text;
use super::{Ids, Validator};
use crate::answer::SealedDigest;
use crate::hunt::RankingOrder;
use crate::ids::HuntId;
use crate::time::Span;

impl Validator<'_, '_, '_> {
    pub(super) fn hunt_fields(&mut self, spec: &HuntSpec) -> Option<HuntId> {
        let site = Site::Hunt(Key::Id);
        let id = HuntId::new(spec.id.as_str()).ok();
        if id.is_none() && self.ok(site) {
            self.check_id(&spec.id, site, "hunt id");
        }
        self.check_len(
            &spec.title,
            MAX_TITLE_BYTES,
            Site::Hunt(Key::Title),
            &"the hunt title",
        );
        self.check_text(
            &spec.title,
            Text::Line,
            &[Site::Hunt(Key::Title)],
            &"the hunt title",
        );
        for (key, value) in [
            (Key::MaxAnswerBytes, spec.limits.max_answer_bytes),
            (Key::MaxTeamNameBytes, spec.limits.max_team_name_bytes),
            (Key::MaxReasonBytes, spec.limits.max_reason_bytes),
        ] {
            let site = Site::Limit(key);
            if let Some(value) = value
                && self.ok(site)
            {
                let what = format_args!("`{}.{}`", Key::Limits.name(), key.name());
                self.check_range(value, 1, MAX_LIMIT, site, &what);
            }
        }
        id
    }

    /// The hunt's length, if `start` and `end` are readable and in order.
    pub(super) fn window(&mut self, spec: &HuntSpec) -> Option<Span> {
        if !self.ok(Site::Hunt(Key::Start)) || !self.ok(Site::Hunt(Key::End)) {
            return None;
        }
        if spec.end <= spec.start {
            self.report(
                ProblemKind::BadWindow,
                &[Site::Hunt(Key::End)],
                format!(
                    "the hunt ends ({}) before it starts ({})",
                    spec.end, spec.start
                ),
            );
            return None;
        }
        let freeze_site = Site::Hunt(Key::Freeze);
        if let Some(freeze) = spec.freeze
            && self.ok(freeze_site)
            && !(spec.start < freeze && freeze < spec.end)
        {
            self.report(
                ProblemKind::FreezeOutsideWindow,
                &[freeze_site],
                format!(
                    "the freeze ({freeze}) must be after the start ({}) and before the end ({})",
                    spec.start, spec.end
                ),
            );
        }
        Some(spec.end.since(spec.start))
    }

    /// The `secret_fingerprint`, if given: 64 hexadecimal digits. `None` if it is malformed
    /// (reported); `Some(None)` if absent.
    pub(super) fn secret_fingerprint(&mut self, hex: Option<&str>) -> Option<Option<SealedDigest>> {
        let Some(hex) = hex else {
            return Some(None);
        };
        let site = Site::Hunt(Key::SecretFingerprint);
        match SealedDigest::from_hex(hex) {
            Some(digest) => Some(Some(digest)),
            None => {
                if self.ok(site) {
                    self.report(
                        ProblemKind::BadDigest,
                        &[site],
                        "`secret_fingerprint` must be 64 hexadecimal digits, as `hunt seal` \
                         writes it"
                            .to_owned(),
                    );
                }
                None
            }
        }
    }

    pub(super) fn final_meta(&mut self, spec: &HuntSpec, ids: &Ids<'_>) -> Option<u32> {
        let site = Site::Hunt(Key::FinalMeta);
        let Some(slug) = &spec.final_meta else {
            if spec.ranking == RankingOrder::PuzzleHunt && self.ok(site) {
                self.report(
                    ProblemKind::MissingFinalMeta,
                    &[Site::Hunt(Key::Ranking)],
                    "`ranking = \"puzzle-hunt\"` ranks by the time of solving the final meta: set `final_meta`"
                        .to_owned(),
                );
            }
            return None;
        };
        if !self.ok(site) {
            return None;
        }
        let Some(c) = ids.get(slug) else {
            self.report(
                ProblemKind::UnknownReference,
                &[site],
                format!("unknown challenge `{slug}` in `final_meta`"),
            );
            return None;
        };
        if !spec.challenges[c as usize].meta {
            self.report(
                ProblemKind::NotMeta,
                &[site],
                format!(
                    "the final meta `{slug}`{} is not a meta: set `meta = true` on it",
                    self.map.line_suffix(Site::Field(c, Key::Id))
                ),
            );
        }
        Some(c)
    }
}
