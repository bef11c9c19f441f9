import { describe, expect, it } from "vitest";
import { BURST_MS, CONTINUE_MS, TypingMemory } from "./keys";

const letter = { printable: true, inTextField: false };
const inField = { printable: true, inTextField: true };

describe("TypingMemory", () => {
  it("takes a letter on its own as a shortcut, and letters in a field as text", () => {
    const memory = new TypingMemory<string>();
    expect(memory.decide(letter, 1000)).toBe("shortcut");
    expect(memory.decide(inField, 5000)).toBe("text");
    expect(memory.decide({ printable: false, inTextField: false }, 9000)).toBe("other");
  });

  it("never takes the letters of a quickly typed word as shortcuts", () => {
    const memory = new TypingMemory<string>();
    const meanings = [..."vague"].map((_, i) => memory.decide(letter, 10_000 + i * 40));
    expect(meanings).toEqual(["shortcut", "burst", "burst", "burst", "burst"]);
    expect(memory.decide(letter, 10_160 + BURST_MS + 1)).toBe("shortcut");
  });

  it("gives typing back to the field that just lost focus to a button", () => {
    const memory = new TypingMemory<string>();
    memory.decide(inField, 1000); // typing "Pri" in the roles field
    memory.fieldLeftForControl("roles-person", 1100); // a click on a button
    expect(memory.decide(letter, 1500)).toBe("continue");
    expect(memory.resumable).toBe("roles-person");
    expect(memory.decide(letter, 1540)).toBe("continue");
    // Long after, a letter is a shortcut again.
    expect(memory.decide(letter, 1540 + CONTINUE_MS + 1)).toBe("shortcut");
    expect(memory.resumable).toBe(null);
  });

  it("takes a letter after a deliberate key (Esc, Enter) as a shortcut", () => {
    const memory = new TypingMemory<string>();
    expect(memory.decide(inField, 1000)).toBe("text");
    expect(memory.decide({ printable: false, inTextField: true }, 1010)).toBe("text"); // Esc
    expect(memory.decide(letter, 1050)).toBe("shortcut");
    // N (a shortcut), Esc in the dialog it opened, then E: E is a shortcut.
    expect(memory.decide(letter, 2000)).toBe("shortcut");
    expect(memory.decide({ printable: false, inTextField: true }, 2050)).toBe("text");
    expect(memory.decide(letter, 2100)).toBe("shortcut");
    expect(memory.decide(letter, 1100)).toBe("burst");
    expect(memory.decide({ printable: false, inTextField: false }, 1110)).toBe("other");
    expect(memory.decide(letter, 1120)).toBe("shortcut");
  });

  it("keeps a word typed into a field that went away, but a click ends it", () => {
    const memory = new TypingMemory<string>();
    expect(memory.decide(letter, 1000)).toBe("shortcut"); // E: the edit form opens
    expect(memory.decide(inField, 1040)).toBe("text"); // typing the title
    // The field vanished under the typing: the next letter is the same word.
    expect(memory.decide(letter, 1080)).toBe("burst");
    // Typing, then a click on Save, then I (add a note) right after: a shortcut.
    expect(memory.decide(inField, 2000)).toBe("text");
    memory.clicked();
    expect(memory.decide(letter, 2100)).toBe("shortcut");
  });

  it("forgets the field when typing was deliberately left", () => {
    const memory = new TypingMemory<string>();
    memory.fieldLeftForControl("scribe", 1000);
    memory.forgetField(); // Esc
    expect(memory.decide(letter, 1200)).toBe("shortcut");
  });
});
