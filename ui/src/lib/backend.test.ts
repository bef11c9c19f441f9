import { describe, expect, it } from "vitest";
import { BackendError, isStartupError, tauriBackend, toBackendError } from "./backend";

describe("toBackendError", () => {
  it("keeps the core's code and message", () => {
    const error = toBackendError({ code: "newer_database", message: "too new" });
    expect(error).toBeInstanceOf(BackendError);
    expect(error.code).toBe("newer_database");
    expect(error.message).toBe("too new");
  });

  it("treats an unknown code as an IPC failure instead of trusting it", () => {
    const error = toBackendError({ code: "made_up", message: "?" });
    expect(error.code).toBe("ipc");
  });

  it("wraps plain strings and Errors from the IPC layer", () => {
    expect(toBackendError("command list_incidents not found").message).toBe(
      "command list_incidents not found",
    );
    expect(toBackendError(new Error("boom")).message).toBe("boom");
    expect(toBackendError(undefined).message).toBe("the app's core did not answer");
  });
});

describe("isStartupError", () => {
  it("is true only for errors that make the database unusable", () => {
    expect(isStartupError(toBackendError({ code: "newer_database", message: "" }))).toBe(true);
    expect(isStartupError(toBackendError({ code: "not_our_database", message: "" }))).toBe(true);
    expect(isStartupError(toBackendError({ code: "database", message: "" }))).toBe(false);
    expect(isStartupError(toBackendError("x"))).toBe(false);
  });
});

describe("tauriBackend", () => {
  it("subscribes to the shell's change event", async () => {
    const seen: string[] = [];
    const backend = tauriBackend(
      () => Promise.reject(new Error("unused")),
      <T>(event: string, handler: (payload: T) => void) => {
        seen.push(event);
        handler({ type: "external" } as T);
        return Promise.resolve(() => {});
      },
    );
    const events: unknown[] = [];
    await backend.onChange((event) => events.push(event));
    expect(seen).toEqual(["desk-change"]);
    expect(events).toEqual([{ type: "external" }]);
  });

  it("calls the named command and returns its value", async () => {
    const calls: [string, unknown][] = [];
    const backend = tauriBackend(<T>(cmd: string, args?: Record<string, unknown>) => {
      calls.push([cmd, args]);
      return Promise.resolve([] as T);
    });
    await expect(backend.listIncidents()).resolves.toEqual([]);
    await backend.listIncidents("closed");
    expect(calls).toEqual([
      ["list_incidents", { view: "open" }],
      ["list_incidents", { view: "closed" }],
    ]);
  });

  it("turns a rejection into a BackendError", async () => {
    const backend = tauriBackend(() =>
      Promise.reject({ code: "storage_unavailable", message: "disk gone" }),
    );
    await expect(backend.listIncidents()).rejects.toMatchObject({
      code: "storage_unavailable",
      message: "disk gone",
    });
  });
});

describe("BackendError", () => {
  it("keeps the field an input error is about", () => {
    const error = toBackendError({
      code: "invalid_input",
      message: "the title is empty",
      field: "title",
    });
    expect(error.field).toBe("title");
    expect(toBackendError({ code: "conflict", message: "x" }).field).toBeUndefined();
  });
});
