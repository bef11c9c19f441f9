import { describe, expect, it } from "vitest";
import { describeSync, newestSync } from "./sync";
import type { SyncStatus } from "./bindings";

const base: SyncStatus = {
  state: "connected",
  since: "2026-12-01T14:02:00",
  waiting: 0,
  team: "Payments",
  server: "nats://nats.example:4222",
  revision: 5,
};

describe("newestSync", () => {
  it("keeps a newer report over an older one that arrives after it", () => {
    const connected = { ...base, revision: 7 };
    const staleAnswer = { ...base, state: "connecting" as const, revision: 6 };
    expect(newestSync(connected, staleAnswer)).toBe(connected);
    expect(newestSync(staleAnswer, connected)).toBe(connected);
    expect(newestSync(null, staleAnswer)).toBe(staleAnswer);
    const sameRevisionFresherCount = { ...connected, waiting: 2 };
    expect(newestSync(connected, sameRevisionFresherCount)).toBe(sameRevisionFresherCount);
  });
});

describe("describeSync", () => {
  it("says nothing when the laptop is not in a team with a server", () => {
    expect(describeSync(null)).toBeNull();
    expect(describeSync({ ...base, state: "off" })).toBeNull();
  });

  it("says connected, and what is still being sent", () => {
    expect(describeSync(base)?.text).toBe("Payments: connected");
    expect(describeSync({ ...base, waiting: 3 })?.text).toBe(
      "Payments: connected · sending 3 entries",
    );
  });

  it("says offline since when, with the entries waiting", () => {
    const label = describeSync({ ...base, state: "offline", waiting: 12 });
    expect(label?.text).toBe("Offline since 14:02 · 12 entries waiting");
    expect(label?.tone).toBe("warn");
    expect(describeSync({ ...base, state: "offline", waiting: 1 })?.text).toContain(
      "1 entry waiting",
    );
  });

  it("says refused credentials plainly, with where to fix them", () => {
    const label = describeSync({
      ...base,
      state: "refused",
      message: "the server refused these credentials",
    });
    expect(label?.text).toBe("Credentials refused");
    expect(label?.tone).toBe("danger");
    expect(label?.detail).toContain("Settings → Team");
  });
});
