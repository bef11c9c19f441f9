//! Names on the server, all derived from the team's name so every laptop
//! (and the server's permissions) agree without asking anyone.
//!
//! - stream `IDESK_<TEAM>`: subjects `idesk.<team>.inc.<incident id>`;
//! - stream `IDESK_<TEAM>_SEC`: subjects `idesk.<team>.sec.<incident id>`,
//!   security incidents only, fenced by permissions;
//! - presence (not stored): `idesk.<team>.presence.<node>`;
//! - each laptop's durable consumer: `desk-<node id>`;
//! - each person's inbox: `_INBOX_<user>` (so a permission can keep one
//!   person from reading the replies meant for another).

/// Server names for one team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    slug: String,
}

impl Names {
    pub fn for_team(team: &str) -> Names {
        let mut slug = String::new();
        for c in team.trim().chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.ends_with('_') {
                slug.push('_');
            }
        }
        let slug = slug.trim_matches('_').to_string();
        Names {
            slug: if slug.is_empty() { "team".into() } else { slug },
        }
    }

    /// The team's token in subjects (`payments_on_call`).
    pub fn slug(&self) -> &str {
        &self.slug
    }

    pub fn stream(&self) -> String {
        format!("IDESK_{}", self.slug.to_ascii_uppercase())
    }

    pub fn fenced_stream(&self) -> String {
        format!("{}_SEC", self.stream())
    }

    pub fn all_incidents(&self) -> String {
        format!("idesk.{}.inc.>", self.slug)
    }

    pub fn all_fenced(&self) -> String {
        format!("idesk.{}.sec.>", self.slug)
    }

    pub fn incident(&self, incident_id: &str, fenced: bool) -> String {
        let class = if fenced { "sec" } else { "inc" };
        format!("idesk.{}.{class}.{}", self.slug, token(incident_id))
    }

    pub fn presence(&self, node: &str) -> String {
        format!("idesk.{}.presence.{}", self.slug, token(node))
    }

    pub fn all_presence(&self) -> String {
        format!("idesk.{}.presence.*", self.slug)
    }

    pub fn durable(node: &str) -> String {
        format!("desk-{}", token(node))
    }

    pub fn inbox_prefix(user: &str) -> String {
        format!("_INBOX_{}", token(user))
    }
}

/// A subject token: ids are UUIDs already; anything else is made safe.
fn token(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_subject_tokens_whatever_the_team_is_called() {
        let names = Names::for_team("  Payments on-call. *>  ");
        assert_eq!(names.slug(), "payments_on_call");
        assert_eq!(names.stream(), "IDESK_PAYMENTS_ON_CALL");
        assert_eq!(names.fenced_stream(), "IDESK_PAYMENTS_ON_CALL_SEC");
        assert_eq!(
            names.incident("0190-ab.c", false),
            "idesk.payments_on_call.inc.0190-ab_c"
        );
        assert_eq!(names.incident("x", true), "idesk.payments_on_call.sec.x");
        assert_eq!(Names::for_team("***").slug(), "team");
        assert_eq!(Names::inbox_prefix("priya"), "_INBOX_priya");
    }
}
