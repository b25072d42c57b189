import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { createLineLogger, requestIdOf } from "../../server/collab/logger";

const request = (headers: IncomingMessage["headers"]) => ({ headers }) as IncomingMessage;

describe("the default collaboration logger", () => {
  it("writes one line per message, with a child's bindings, and drops debug unless asked", () => {
    const lines: string[] = [];
    const logger = createLineLogger((line) => lines.push(line));
    logger.warn({ planId: "p" }, "dropped 1 update(s)");
    const child = logger.child({ connectionId: 7 }).child({ requestId: "abc-1" });
    child.error({}, "update failed");
    child.debug({}, "hidden");
    createLineLogger((line) => lines.push(line), { debug: true }).debug({}, "shown");
    expect(lines).toEqual([
      "collab: dropped 1 update(s)",
      "collab: update failed [connectionId=7 requestId=abc-1]",
      "collab: shown",
    ]);
  });
});

describe("requestIdOf", () => {
  it("takes a short safe x-request-id and ignores anything else", () => {
    expect(requestIdOf(request({ "x-request-id": "5f0c2a1e-9b1d-4c3e-8f00-aa11bb22cc33" }))).toBe(
      "5f0c2a1e-9b1d-4c3e-8f00-aa11bb22cc33",
    );
    expect(requestIdOf(request({}))).toBeUndefined();
    expect(requestIdOf(request({ "x-request-id": "" }))).toBeUndefined();
    expect(requestIdOf(request({ "x-request-id": "a".repeat(65) }))).toBeUndefined();
    expect(requestIdOf(request({ "x-request-id": "abc\nforged line" }))).toBeUndefined();
    expect(requestIdOf(request({ "x-request-id": "a b" }))).toBeUndefined();
    expect(requestIdOf(request({ "x-request-id": "one, two" }))).toBeUndefined();
  });
});
