import { describe, expect, it } from "vitest";
import { BackendError } from "./backend";
import type { UpdateInfo, UpdateProgress } from "./bindings";
import { Updater, type UpdaterBackend } from "./updater.svelte";

const info: UpdateInfo = {
  current_version: "0.1.0",
  version: "0.2.0",
  notes: "Faster board",
  date: null,
};

function fakeBackend(overrides: Partial<UpdaterBackend> = {}): UpdaterBackend {
  return {
    checkForUpdate: () => Promise.resolve(info),
    downloadUpdate: () => Promise.resolve(),
    installUpdate: () => Promise.resolve(),
    restartApp: () => Promise.resolve(),
    onUpdateProgress: () => Promise.resolve(() => {}),
    ...overrides,
  };
}

describe("Updater", () => {
  it("goes from check to download to install", async () => {
    let report: ((p: UpdateProgress) => void) | null = null;
    const seen: (number | null)[] = [];
    const backend = fakeBackend({
      onUpdateProgress: (handler) => {
        report = handler;
        return Promise.resolve(() => (report = null));
      },
      downloadUpdate: () => {
        report?.({ downloaded: 5, total: 10 });
        const state = updater.state;
        seen.push(state.step === "downloading" ? (state.progress?.downloaded ?? null) : null);
        return Promise.resolve();
      },
    });
    const updater = new Updater(() => backend);
    await updater.check();
    expect(updater.state).toEqual({ step: "available", info });
    await updater.download();
    expect(seen).toEqual([5]);
    expect(updater.state).toEqual({ step: "ready", info });
    expect(report).toBeNull();
    await updater.install();
    expect(updater.state).toEqual({ step: "installed", info });
  });

  it("says when this version is the newest", async () => {
    const none = fakeBackend({ checkForUpdate: () => Promise.resolve(null) });
    const updater = new Updater(() => none);
    await updater.check();
    expect(updater.state.step).toBe("current");
  });

  it("waits instead of installing while an L1 incident is open", async () => {
    const backend = fakeBackend({
      installUpdate: () =>
        Promise.reject(new BackendError({ code: "conflict", message: "an L1 incident is open" })),
    });
    const updater = new Updater(() => backend);
    await updater.check();
    await updater.download();
    await updater.install();
    expect(updater.state).toEqual({ step: "waiting", info, reason: "an L1 incident is open" });
  });

  it("keeps the message of a failed download, and can try again", async () => {
    let attempts = 0;
    const backend = fakeBackend({
      downloadUpdate: () => {
        attempts += 1;
        return attempts === 1
          ? Promise.reject(new BackendError({ code: "update_failed", message: "bad signature" }))
          : Promise.resolve();
      },
    });
    const updater = new Updater(() => backend);
    await updater.check();
    await updater.download();
    expect(updater.state).toEqual({ step: "failed", message: "bad signature", info });
    await updater.download();
    expect(updater.state.step).toBe("ready");
  });

  it("an announcement never replaces a flow in progress", async () => {
    const backend = fakeBackend();
    const updater = new Updater(() => backend);
    await updater.check();
    await updater.download();
    updater.announce({ ...info, version: "0.3.0" });
    expect(updater.state).toEqual({ step: "ready", info });
  });
});
