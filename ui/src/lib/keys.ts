// Keyboard handling shared by the views.

/** True when the key went to something the user types into. */
export function isTyping(event: KeyboardEvent): boolean {
  const target = event.target;
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") {
    const type = (target as HTMLInputElement).type;
    return !["checkbox", "radio", "button", "submit"].includes(type);
  }
  return false;
}

/** A plain key press (no Ctrl/Alt/Meta), e.g. `n`, matched case-insensitively. */
export function plainKey(event: KeyboardEvent, key: string): boolean {
  return (
    !event.ctrlKey &&
    !event.altKey &&
    !event.metaKey &&
    event.key.toLowerCase() === key.toLowerCase()
  );
}
