import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";
import { tauriBackend } from "./lib/backend";

// Where the first paint's time goes (`make bench`, window-bench).
performance.mark("script");

const target = document.getElementById("app");
if (target === null) {
  throw new Error("index.html has no #app element");
}

mount(App, { target, props: { backend: tauriBackend() } });
performance.mark("mounted");
