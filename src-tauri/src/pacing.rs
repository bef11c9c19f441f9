//! How many desktop notifications may go out one by one: a few per window,
//! then one that sums up the rest; anything later in the same window waits
//! for the next. A flood of overdue deadlines must not bury the desktop
//! under notifications (the window itself shows every one at once).

use std::time::{Duration, Instant};

/// A notification budget per time window.
pub struct Budget {
    per_window: usize,
    window: Duration,
    start: Option<Instant>,
    used: usize,
    summarised: bool,
    held: bool,
}

/// What may go out now, of what is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowance {
    /// This many, one by one (the most urgent first).
    pub one_by_one: usize,
    /// The rest in one summary; when false, the rest waits for the next
    /// window ([`Budget::held_until`]).
    pub summary: bool,
}

impl Budget {
    pub const fn new(per_window: usize, window: Duration) -> Budget {
        Budget {
            per_window,
            window,
            start: None,
            used: 0,
            summarised: false,
            held: false,
        }
    }

    /// Of `wanted` notifications now, how many may go out one by one, and
    /// whether the rest go out as one summary.
    pub fn allow(&mut self, wanted: usize, now: Instant) -> Allowance {
        let fresh = self
            .start
            .is_none_or(|start| now.duration_since(start) >= self.window);
        if fresh {
            self.start = Some(now);
            self.used = 0;
            self.summarised = false;
            self.held = false;
        }
        let one_by_one = wanted.min(self.per_window.saturating_sub(self.used));
        self.used += one_by_one;
        let rest = wanted > one_by_one;
        let summary = rest && !self.summarised;
        self.summarised |= summary;
        self.held |= rest && !summary;
        Allowance {
            one_by_one,
            summary,
        }
    }

    /// When held-back notifications may go out (the window's end), if any
    /// wait.
    pub fn held_until(&self) -> Option<Instant> {
        self.start
            .filter(|_| self.held)
            .map(|start| start + self.window)
    }
}

#[cfg(test)]
mod tests {
    use super::{Allowance, Budget};
    use std::time::{Duration, Instant};

    #[test]
    fn a_few_one_by_one_one_summary_then_the_rest_waits_for_the_next_window() {
        let mut budget = Budget::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        assert_eq!(
            budget.allow(2, t0),
            Allowance {
                one_by_one: 2,
                summary: false
            }
        );
        assert_eq!(budget.held_until(), None);
        assert_eq!(
            budget.allow(5, at(1)),
            Allowance {
                one_by_one: 1,
                summary: true
            }
        );
        assert_eq!(
            budget.held_until(),
            None,
            "all out: one by one or summed up"
        );
        assert_eq!(
            budget.allow(2, at(2)),
            Allowance {
                one_by_one: 0,
                summary: false
            }
        );
        assert_eq!(
            budget.held_until(),
            Some(at(60)),
            "waits for the next window"
        );
        assert_eq!(
            budget.allow(10, at(60)),
            Allowance {
                one_by_one: 3,
                summary: true
            }
        );
        assert_eq!(budget.held_until(), None);
    }
}
