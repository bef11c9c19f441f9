// The command palette's list: every action, ranked by what the user most
// likely means with what they typed, in the view they are in.

export interface PaletteAction {
  id: string;
  label: string;
  /** The shortcut that does the same, shown beside it. */
  shortcut?: string;
  /** Words that find it without being in its label (e.g. "pdf" for Export). */
  keywords?: string;
  /**
   * Text shown after the label that matches only weakly (an incident's title
   * in "Open INC-2: …"): a word of a title must not outrank a command.
   */
  detail?: string;
  /** Actions on what is on screen rank above going elsewhere. */
  scope?: "here" | "elsewhere";
  run: () => void;
}

/** The label as shown: the label, then its detail. */
export function shownLabel(action: PaletteAction): string {
  return action.detail ? `${action.label}: ${action.detail}` : action.label;
}

const words = (text: string) =>
  text
    .toLowerCase()
    .split(/[^\p{L}\p{N}-]+/u)
    .filter(Boolean);

/**
 * How well `action` answers `query` (0: not at all). Every typed word must
 * match somewhere; a match at the start of the label beats one at the start
 * of a later word, which beats a keyword, which beats the detail; actions
 * on the current view come first among equals.
 */
export function score(action: PaletteAction, query: string): number {
  const typed = words(query);
  const label = words(action.label);
  const keywords = words(action.keywords ?? "");
  const detail = words(action.detail ?? "");
  const here = action.scope === "elsewhere" ? 0 : 5;
  if (typed.length === 0) return 1 + here;
  let total = 0;
  for (const [index, word] of typed.entries()) {
    let best = 0;
    for (const [position, candidate] of label.entries()) {
      if (!candidate.startsWith(word)) continue;
      const atStart = position === 0 && index === 0;
      best = Math.max(best, atStart ? 100 : 60 - Math.min(position, 10));
    }
    if (best === 0 && label.some((candidate) => candidate.includes(word))) best = 25;
    if (best === 0 && keywords.some((candidate) => candidate.startsWith(word))) best = 40;
    if (best === 0 && detail.some((candidate) => candidate.startsWith(word))) best = 8;
    if (best === 0 && detail.some((candidate) => candidate.includes(word))) best = 4;
    if (best === 0) return 0;
    total += best;
  }
  return total + here;
}

/** The actions that match every typed word, best first (stable among equals). */
export function matchActions(actions: readonly PaletteAction[], query: string): PaletteAction[] {
  return actions
    .map((action, index) => ({ action, index, value: score(action, query) }))
    .filter((entry) => entry.value > 0)
    .sort((a, b) => b.value - a.value || a.index - b.index)
    .map((entry) => entry.action);
}
