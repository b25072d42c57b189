import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import express from "express";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger, requestIdFrom, requestLogger } from "../../server/logger";

/** A pino logger whose JSON lines are kept in memory, to read back what was logged. */
function capturedLogger(level: "info" | "debug" = "info") {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level, destination }), lines };
}

const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((close) => close()));

async function serve(app: express.Express) {
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  closers.push(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("request ids", () => {
  it("keeps a short safe X-Request-Id and replaces anything else with a new id", () => {
    expect(requestIdFrom("abc-123_DEF.4:5")).toBe("abc-123_DEF.4:5");
    for (const unsafe of ["", "a b", "x\ny", '{"level":50}', "é", "a".repeat(65), ["a", "b"], undefined]) {
      const id = requestIdFrom(unsafe);
      expect(id).not.toBe(unsafe);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe("the request logger", () => {
  it("answers with the request id, logs one line per request at a level for its status, without secrets", async () => {
    const { logger, lines } = capturedLogger("debug");
    const app = express();
    app.use(requestLogger(logger));
    app.get("/ok", (req, res) => {
      req.log.info("inside");
      res.send("ok");
    });
    app.get("/missing", (_req, res) => void res.status(404).send("no"));
    app.get("/broken", (_req, res) => void res.status(500).send("no"));
    app.get("/healthz", (_req, res) => void res.send("ok"));
    const url = await serve(app);

    const ok = await fetch(`${url}/ok?token_hash=secret-token`, {
      headers: { "x-request-id": "trace-42", cookie: "sb-access-token=secret-cookie" },
    });
    expect(ok.headers.get("x-request-id")).toBe("trace-42");
    const forged = await fetch(`${url}/missing`, { headers: { "x-request-id": "bad id; level=50" } });
    const generated = forged.headers.get("x-request-id");
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    await fetch(`${url}/broken`, { headers: { "x-request-id": "trace-43" } });
    await fetch(`${url}/healthz`, { headers: { "x-request-id": "trace-44" } });

    const byId = (id: string | null) => lines.filter((line) => line.reqId === id);
    // The handler's own line carries the id too: app code logs through the request's child logger.
    expect(byId("trace-42").map((line) => line.msg)).toEqual(["inside", "request completed"]);
    const completed = byId("trace-42")[1];
    expect(completed).toMatchObject({ level: 30, req: { method: "GET", path: "/ok" }, res: { statusCode: 200 } });
    expect(JSON.stringify(lines)).not.toMatch(/secret-token|secret-cookie/);
    // A 4xx is the client's mistake (info); a 5xx is ours (error); health probes are debug.
    expect(byId(generated)).toMatchObject([{ level: 30, res: { statusCode: 404 } }]);
    expect(byId("trace-43")).toMatchObject([{ level: 50, res: { statusCode: 500 } }]);
    expect(byId("trace-44")).toMatchObject([{ level: 20 }]);
  });
});

describe("error lines", () => {
  it("log a pool error's message, code and stack, without the database client pg-pool attaches to it", () => {
    const { logger, lines } = capturedLogger();
    // What pg-pool emits when an idle connection fails: the error, with the whole client as `err.client`.
    const client = new pg.Client({ host: "127.0.0.1", port: 1, password: "not-logged" });
    const error = Object.assign(new Error("Connection terminated unexpectedly"), { code: "57P01", client });
    logger.error({ err: error }, `database pool error: ${error.message}`);
    const [line] = lines;
    expect(line?.err).toMatchObject({ message: "Connection terminated unexpectedly", code: "57P01" });
    expect(String((line?.err as { stack?: string }).stack)).toContain("logger.test.ts");
    expect(line?.err).not.toHaveProperty("client");
    expect(JSON.stringify(line)).not.toContain("not-logged");
  });
});
