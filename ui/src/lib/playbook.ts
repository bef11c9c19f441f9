// Playbook checklists, live tasks and hypotheses, as the room shows them.

import type { ChecklistLine, Hypothesis, HypothesisState, Role, Stage, Task } from "./bindings";
import { ROLE_LABEL } from "./labels";

export interface StageChecklist {
  stage: Stage;
  lines: ChecklistLine[];
  settled: number;
}

/** Lines settled: done or skipped. */
export function settledCount(lines: readonly ChecklistLine[]): number {
  return lines.filter((line) => line.state !== "open").length;
}

/** The checklist by stage, in the stages' order; stages without items left out. */
export function checklistByStage(
  lines: readonly ChecklistLine[],
  stages: readonly Stage[],
): StageChecklist[] {
  return stages
    .map((stage) => {
      const mine = lines.filter((line) => line.stage === stage);
      return { stage, lines: mine, settled: settledCount(mine) };
    })
    .filter((group) => group.lines.length > 0);
}

/** Who a task is for, in words: "Dana (Operations lead)", "the Operations lead". */
export function taskOwner(task: Task): string {
  if (task.owner && task.owner_role) return `${task.owner} (${ROLE_LABEL[task.owner_role]})`;
  if (task.owner) return task.owner;
  if (task.owner_role) return `the ${ROLE_LABEL[task.owner_role]} (nobody holds it yet)`;
  return "nobody yet";
}

/** Still to do here: open, not carried on as an action item. */
export function taskOpen(task: Task): boolean {
  return task.state === "open" && task.action_item_id === null;
}

export function taskOverdue(task: Task, now: number): boolean {
  return taskOpen(task) && task.due_at !== null && Date.parse(task.due_at) < now;
}

/** Roles offered as task owners, beside the people ("role:operations"). */
export function roleOwners(): { value: string; label: string }[] {
  return (Object.keys(ROLE_LABEL) as Role[]).map((role) => ({
    value: role,
    label: `${ROLE_LABEL[role]} (whoever holds it)`,
  }));
}

export const HYPOTHESIS_LABEL: Record<HypothesisState, string> = {
  open: "open",
  ruled_out: "ruled out",
  confirmed: "confirmed",
};

/** Open ones first, then confirmed, then ruled out. */
export function hypothesesInOrder(all: readonly Hypothesis[]): Hypothesis[] {
  const rank: Record<HypothesisState, number> = { open: 0, confirmed: 1, ruled_out: 2 };
  return [...all].sort((a, b) => rank[a.state] - rank[b.state] || a.n - b.n);
}
