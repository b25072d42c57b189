import { describe, expect, it } from "vitest";
import { MessageBudget } from "../../server/collab/rate-limit";

// Time is passed in explicitly: these check the arithmetic, never a clock.
describe("MessageBudget", () => {
  it("allows a burst, then refuses until time refills it", () => {
    const budget = new MessageBudget(10, 3, 0);
    expect([budget.take(0), budget.take(0), budget.take(0), budget.take(0)]).toEqual([true, true, true, false]);
    expect(budget.take(50)).toBe(false); // half a message refilled
    expect(budget.take(100)).toBe(true); // one message per 100 ms
    expect(budget.take(100)).toBe(false);
  });

  it("never holds more than the burst, however long a connection was quiet", () => {
    const budget = new MessageBudget(200, 5, 0);
    const taken = Array.from({ length: 8 }, () => budget.take(3_600_000)).filter(Boolean);
    expect(taken).toHaveLength(5);
  });

  it("sustains exactly the configured rate", () => {
    const budget = new MessageBudget(200, 1, 0);
    expect(budget.take(0)).toBe(true);
    let allowed = 0;
    for (let t = 1; t <= 1000; t++) if (budget.take(t)) allowed++;
    expect(allowed).toBe(200);
  });
});
