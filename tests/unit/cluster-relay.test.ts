import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseStoredSignals } from "../../server/collab/cluster-relay";

describe("parseStoredSignals", () => {
  it("reads `<plan> <previous> <last> <count>` entries and drops anything malformed", () => {
    const [a, b] = [randomUUID(), randomUUID()];
    expect(parseStoredSignals(`${a} 0 17 3;${b} 12 9223372036854775807 1`)).toEqual([
      { planId: a, previousId: 0n, lastId: 17n, count: 3 },
      { planId: b, previousId: 12n, lastId: 9223372036854775807n, count: 1 },
    ]);
    for (const payload of [undefined, "", `${a} 1 2`, `${a} -1 2 1`, `not-a-uuid 1 2 1`, `${a} 1 2 1 extra`])
      expect(parseStoredSignals(payload)).toEqual([]);
    expect(parseStoredSignals(`${a} 1 2 1;garbage`)).toHaveLength(1);
  });
});
