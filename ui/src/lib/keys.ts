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

/** A field whose keys are text: text inputs and text areas. */
export function isTextField(
  target: EventTarget | null,
): target is HTMLInputElement | HTMLTextAreaElement {
  if (!(target instanceof HTMLElement)) return false;
  if (target instanceof HTMLTextAreaElement) return true;
  return target instanceof HTMLInputElement && isTyping({ target } as unknown as KeyboardEvent);
}

/** What a key press is, given what the user was just doing. */
export type KeyMeaning =
  | "text" // typed into the field that has focus
  | "continue" // belongs to the field that just lost focus to a button: put it back there
  | "burst" // part of a word typed with no field focused: never a shortcut
  | "shortcut" // a deliberate single key
  | "other"; // not a printable key

/** How long after a field lost focus to a control the typing still belongs to it. */
export const CONTINUE_MS = 2000;
/** Printable keys closer together than this are typing, not shortcuts. */
export const BURST_MS = 300;

/**
 * The rule that keeps single-letter shortcuts from eating what someone
 * types: letters in a text field are text; letters right after a field
 * lost focus to a button (a click, Tab) go back into that field; letters
 * in a quick burst are a word, not shortcuts; only a letter on its own is
 * a shortcut. Pure, so it is tested without a DOM.
 */
export class TypingMemory<Field> {
  private left: { field: Field; at: number } | null = null;
  private lastPrintableAt = Number.NEGATIVE_INFINITY;

  /** A text field lost focus to a control (not to another field, not by Esc). */
  fieldLeftForControl(field: Field, now: number): void {
    this.left = { field, at: now };
  }

  /** Focus went into a field, or typing there was deliberately left (Esc). */
  forgetField(): void {
    this.left = null;
  }

  /** A click: the next letter is not part of a word typed before it. */
  clicked(): void {
    this.lastPrintableAt = Number.NEGATIVE_INFINITY;
  }

  /** The field typing should go back to, if any. */
  get resumable(): Field | null {
    return this.left?.field ?? null;
  }

  decide(key: { printable: boolean; inTextField: boolean }, now: number): KeyMeaning {
    if (!key.printable) {
      // Esc, Enter, Tab, arrows (in a field or not): deliberate keys; a
      // letter after one is not part of a word typed before it.
      this.lastPrintableAt = Number.NEGATIVE_INFINITY;
      return key.inTextField ? "text" : "other";
    }
    const previous = this.lastPrintableAt;
    // Letters typed into a field count too: if the field goes away under
    // the typing, the letters that follow are still the same word.
    this.lastPrintableAt = now;
    if (key.inTextField) return "text";
    if (this.left && now - this.left.at < CONTINUE_MS) return "continue";
    this.left = null;
    return now - previous < BURST_MS ? "burst" : "shortcut";
  }
}

/** A single character typed without Ctrl, Alt or Meta. */
export function isPrintable(event: KeyboardEvent): boolean {
  return event.key.length === 1 && !event.ctrlKey && !event.altKey && !event.metaKey;
}

/** Puts `text` into `field` at its cursor, as if typed (the input event updates bindings). */
export function typeInto(field: HTMLInputElement | HTMLTextAreaElement, text: string): void {
  field.focus();
  const start = field.selectionStart ?? field.value.length;
  const end = field.selectionEnd ?? start;
  field.setRangeText(text, start, end, "end");
  field.dispatchEvent(new Event("input", { bubbles: true }));
}
