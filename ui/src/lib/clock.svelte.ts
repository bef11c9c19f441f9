// The window's clock. Nothing ticks on a timer of its own: each time shown on
// screen says when its text next changes, and the clock wakes once for all of
// them. Every repaint costs WebKit a whole frame (in software, ~25 ms of CPU
// here even for one changed digit), so changes are gathered into shared
// frames: texts that read in seconds change on the wall clock's second,
// texts that read in minutes or coarser on its half minute (at most 30 s
// after the minute turned). A board of 200 incidents then wakes twice a
// minute, not 60 times per row. (Measured at 200 incidents: a wake costs
// the web process about 0.1 s of CPU, so a quarter-minute grid alone
// spent ~0.6 % of a core.)

const HOUR = 3_600_000;
/** Never wake sooner than this after the last wake (a guard, not a pace). */
const MIN_GAP_MS = 20;
/** Texts that change every second (or faster) share one frame a second. */
const SECONDS_GRID_MS = 1_000;
/** Coarser texts (minutes, hours) share a frame every half minute. */
const MINUTES_GRID_MS = 30_000;

/**
 * When to show `show`'s next change: its own next step, moved to the grid
 * its pace allows (see the top of this file), so that many texts change in
 * one frame.
 */
export function wakeFor(show: (at: number) => string, now: number, horizon = HOUR): number {
  const next = nextChange(show, now, horizon);
  const after = nextChange(show, next, horizon);
  const grid = after - next >= 60_000 ? MINUTES_GRID_MS : SECONDS_GRID_MS;
  return Math.ceil(next / grid) * grid;
}

/**
 * The first moment after `now` at which `show` gives another answer, looked
 * for up to `horizon` ahead (`now + horizon` when it stays the same).
 * `show` must be a step function of time that never comes back to an
 * answer it has left (elapsed times and countdowns are), so a bisection
 * finds the step to the millisecond in about 22 calls.
 */
export function nextChange(show: (at: number) => string, now: number, horizon = HOUR): number {
  const current = show(now);
  let low = now;
  let high = now + horizon;
  if (show(high) === current) return high;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (show(middle) === current) low = middle;
    else high = middle;
  }
  return high;
}

type Timers = {
  set: (run: () => void, ms: number) => unknown;
  clear: (handle: unknown) => void;
  now: () => number;
};

const browserTimers: Timers = {
  set: (run, ms) => setTimeout(run, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

export class PageClock {
  /** The time every shown clock reads; moves only when one of them changes. */
  now = $state(0);
  #wakes = new Map<object, number>();
  #timer: unknown = null;
  #timerAt = Infinity;
  #timers: Timers;

  constructor(timers: Timers = browserTimers) {
    this.#timers = timers;
    this.now = timers.now();
  }

  /**
   * Call from an `$effect` of something on screen: returns the current time
   * (so the effect re-runs at each wake) and asks to be woken when `show`'s
   * answer next changes.
   */
  follow(owner: object, show: (at: number) => string, horizon = HOUR): number {
    // Read for the dependency; the time itself is taken fresh, since the
    // last wake may be long past when something new comes on screen.
    void this.now;
    const now = this.#timers.now();
    this.#wakes.set(owner, wakeFor(show, now, horizon));
    this.#schedule();
    return now;
  }

  /** Off screen or gone: no more wakes for `owner`. */
  forget(owner: object): void {
    if (this.#wakes.delete(owner)) this.#schedule();
  }

  /** How many shown things are waiting for a wake (for tests). */
  get following(): number {
    return this.#wakes.size;
  }

  #schedule(): void {
    let next = Infinity;
    for (const at of this.#wakes.values()) next = Math.min(next, at);
    if (next === this.#timerAt) return;
    if (this.#timer !== null) this.#timers.clear(this.#timer);
    this.#timer = null;
    this.#timerAt = next;
    if (next === Infinity) return;
    const wait = Math.max(MIN_GAP_MS, next - this.#timers.now());
    this.#timer = this.#timers.set(() => this.#wake(), wait);
  }

  #wake(): void {
    this.#timer = null;
    this.#timerAt = Infinity;
    // Everything that follows the clock re-registers as it re-runs.
    this.#wakes.clear();
    this.now = this.#timers.now();
  }
}

/** The window's one clock. */
export const clock = new PageClock();

/**
 * For a component that shows times: the current time, kept current while
 * `show` (read in an effect, so it may depend on props and state) gives
 * the text to keep current; `null` (off screen) stops its wakes.
 */
export function useClock(
  show: () => ((at: number) => string) | null,
  source: PageClock = clock,
): { readonly now: number } {
  const owner = {};
  let now = $state(Date.now());
  $effect(() => {
    const text = show();
    if (text === null) source.forget(owner);
    else now = source.follow(owner, text);
  });
  $effect(() => () => source.forget(owner));
  return {
    get now() {
      return now;
    },
  };
}
