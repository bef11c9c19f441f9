// The update flow, shared by the About screen, the banner and the tray's
// "Check for updates…": check → download (verified in Rust) → install →
// restart. An open L1 incident turns "install" into "waiting".

import { asBackendError, type Backend } from "./backend";
import type { UpdateInfo } from "./bindings";
import type { UpdateState } from "./updates";

export type UpdaterBackend = Pick<
  Backend,
  "checkForUpdate" | "downloadUpdate" | "installUpdate" | "restartApp" | "onUpdateProgress"
>;

export class Updater {
  state = $state<UpdateState>({ step: "idle" });
  #backendOf: () => UpdaterBackend;

  /** Takes a getter, so the owner's current backend is always the one used. */
  constructor(backendOf: () => UpdaterBackend) {
    this.#backendOf = backendOf;
  }

  get #backend(): UpdaterBackend {
    return this.#backendOf();
  }

  /** Busy steps ignore a second click. */
  get busy(): boolean {
    const step = this.state.step;
    return step === "checking" || step === "downloading" || step === "installing";
  }

  /** The startup check found something (the shell announces it). */
  announce(info: UpdateInfo): void {
    if (this.state.step === "idle" || this.state.step === "current") {
      this.state = { step: "available", info };
    }
  }

  async check(): Promise<void> {
    if (this.busy) return;
    this.state = { step: "checking" };
    try {
      const info = await this.#backend.checkForUpdate();
      this.state = info ? { step: "available", info } : { step: "current" };
    } catch (reason) {
      this.state = { step: "failed", message: asBackendError(reason).message, info: null };
    }
  }

  async download(): Promise<void> {
    const current = this.state;
    if (current.step !== "available" && current.step !== "failed") return;
    const info = current.info;
    if (!info) return;
    this.state = { step: "downloading", info, progress: null };
    const stop = await this.#backend.onUpdateProgress((progress) => {
      if (this.state.step === "downloading") this.state = { ...this.state, progress };
    });
    try {
      await this.#backend.downloadUpdate();
      this.state = { step: "ready", info };
    } catch (reason) {
      this.state = { step: "failed", message: asBackendError(reason).message, info };
    } finally {
      stop();
    }
  }

  async install(): Promise<void> {
    const current = this.state;
    if (current.step !== "ready" && current.step !== "waiting") return;
    const info = current.info;
    this.state = { step: "installing", info };
    try {
      await this.#backend.installUpdate();
      this.state = { step: "installed", info };
    } catch (reason) {
      const error = asBackendError(reason);
      this.state =
        error.code === "conflict"
          ? { step: "waiting", info, reason: error.message }
          : { step: "failed", message: error.message, info };
    }
  }

  async restart(): Promise<void> {
    if (this.state.step !== "installed") return;
    try {
      await this.#backend.restartApp();
    } catch (reason) {
      this.state = {
        step: "failed",
        message: asBackendError(reason).message,
        info: this.state.info,
      };
    }
  }
}
