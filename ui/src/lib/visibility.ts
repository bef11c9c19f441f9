// Which board rows are on screen: rows scrolled out of view stop ticking
// (their countdowns catch up the moment they scroll back in).

type Callback = (visible: boolean) => void;

let observer: IntersectionObserver | null = null;
const callbacks = new WeakMap<Element, Callback>();

function shared(): IntersectionObserver | null {
  if (observer === null && typeof IntersectionObserver !== "undefined") {
    observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) callbacks.get(entry.target)?.(entry.isIntersecting);
      },
      { rootMargin: "200px 0px" },
    );
  }
  return observer;
}

/** Svelte action: calls `onChange` when the element enters or leaves the screen. */
export function visibility(node: Element, onChange: Callback) {
  const io = shared();
  if (!io) return {};
  callbacks.set(node, onChange);
  io.observe(node);
  return {
    destroy() {
      io.unobserve(node);
      callbacks.delete(node);
    },
  };
}
