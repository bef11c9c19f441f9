import { describe, expect, it } from "vitest";
import type { ChecklistLine, Hypothesis, Task } from "./bindings";
import {
  checklistByStage,
  hypothesesInOrder,
  settledCount,
  taskOpen,
  taskOverdue,
  taskOwner,
} from "./playbook";

const line = (key: string, stage: ChecklistLine["stage"], state: ChecklistLine["state"]) =>
  ({
    key,
    stage,
    text: key,
    owner_role: null,
    due_at: null,
    state,
    by: null,
    at: null,
  }) satisfies ChecklistLine;

const task: Task = {
  id: "t1",
  title: "Rotate keys",
  owner: "Dana",
  owner_role: "operations",
  due_at: "2026-12-01T14:30:00Z",
  state: "open",
  created_at: "2026-12-01T14:00:00Z",
  done_at: null,
  action_item_id: null,
};

describe("checklist", () => {
  it("groups by stage in order, counting done and skipped as settled", () => {
    const lines = [
      line("a", "remediate", "done"),
      line("b", "identify", "open"),
      line("c", "remediate", "skipped"),
    ];
    expect(settledCount(lines)).toBe(2);
    const groups = checklistByStage(lines, ["identify", "classify", "remediate"]);
    expect(groups.map((g) => [g.stage, g.settled, g.lines.length])).toEqual([
      ["identify", 0, 1],
      ["remediate", 2, 2],
    ]);
  });
});

describe("tasks", () => {
  it("names the owner with the role, and knows when a task is overdue", () => {
    expect(taskOwner(task)).toBe("Dana (Operations lead)");
    expect(taskOwner({ ...task, owner: null })).toBe("the Operations lead (nobody holds it yet)");
    const after = Date.parse("2026-12-01T14:31:00Z");
    expect(taskOverdue(task, after)).toBe(true);
    expect(taskOverdue({ ...task, state: "done" }, after)).toBe(false);
    expect(taskOpen({ ...task, action_item_id: "a1" })).toBe(false);
  });
});

describe("hypotheses", () => {
  it("lists open ones first", () => {
    const h = (n: number, state: Hypothesis["state"]): Hypothesis => ({
      entry_id: String(n),
      n,
      text: `h${n}`,
      author: "Ada",
      state,
    });
    expect(
      hypothesesInOrder([h(1, "ruled_out"), h(2, "open"), h(3, "confirmed")]).map((x) => x.n),
    ).toEqual([2, 3, 1]);
  });
});
