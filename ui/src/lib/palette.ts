// The command palette's list: every action, filtered by what was typed.

export interface PaletteAction {
  id: string;
  label: string;
  /** The shortcut that does the same, shown beside it. */
  shortcut?: string;
  run: () => void;
}

/** Actions whose label contains every typed word (any order, any case). */
export function matchActions(actions: readonly PaletteAction[], query: string): PaletteAction[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return actions.filter((action) => {
    const label = action.label.toLowerCase();
    return words.every((word) => label.includes(word));
  });
}
