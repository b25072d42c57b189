import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { CollabServer, type CollabLogger } from "../../server/collab/collab-server";
import { accessTokenOf, planDocumentUrl, sessionHeaders, waitFor } from "../support/collab";
import { buildApplication, buildCast } from "../support/factories";
import { stack } from "../support/supabase";

/*
 * A collaboration server of this file's own, in this process on port 0, with a logger that records: each connection
 * logs through a child bound with its connection id and the upgrade request's x-request-id.
 */

interface Entry {
  level: string;
  bindings: Record<string, unknown>;
  message: string;
}

const entries: Entry[] = [];

function recordingLogger(bindings: Record<string, unknown> = {}): CollabLogger {
  const at =
    (level: string) =>
    (_fields: object, message: string): void =>
      void entries.push({ level, bindings, message });
  return {
    child: (more) => recordingLogger({ ...bindings, ...more }),
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
  };
}

let http: Server;
let collab: CollabServer;
let baseUrl: string;

beforeAll(async () => {
  http = createServer();
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  collab = new CollabServer({
    databaseUrl: stack().databaseUrl,
    jwtSecret: stack().jwtSecret,
    siteUrl: baseUrl,
    logger: recordingLogger(),
  });
  await collab.start();
  http.on("upgrade", (req, socket, head) => {
    if (collab.handles(req)) void collab.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
});

afterAll(async () => {
  await collab?.close();
  await new Promise((resolve) => http?.close(resolve));
});

/** Opens a socket with `headers` added, sends a malformed message and returns the close code. */
async function sendMalformed(planId: string, token: string, headers: Record<string, string>): Promise<number> {
  const socket = new WebSocket(planDocumentUrl(baseUrl, planId), {
    headers: { ...sessionHeaders(baseUrl, token), ...headers },
  });
  socket.on("error", () => undefined);
  const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
  });
  socket.send(new Uint8Array([0, 7, 0])); // a sync message of a kind that does not exist
  return closed;
}

describe("each connection's logger", () => {
  it("carries the connection id and a valid x-request-id, so a request can be followed into its socket", async () => {
    const cast = await buildCast();
    const { plan } = await buildApplication(cast, "draft");
    const token = await accessTokenOf(cast.applicant);

    expect(await sendMalformed(plan, token, { "x-request-id": "req-42.a" })).toBe(1007);
    expect(await sendMalformed(plan, token, { "x-request-id": "not a token" })).toBe(1007);
    await waitFor(
      () => entries.filter((entry) => entry.message.startsWith("malformed message")).length === 2,
      10_000,
      "both sockets' log lines",
    );
    const [first, second] = entries.filter((entry) => entry.message.startsWith("malformed message"));
    expect(first).toMatchObject({
      level: "warn",
      bindings: { requestId: "req-42.a", userId: cast.applicant.id, planId: plan },
    });
    expect(second!.bindings).not.toHaveProperty("requestId");
    expect(second!.bindings.userId).toBe(cast.applicant.id);
    expect(typeof first!.bindings.connectionId).toBe("number");
    expect(second!.bindings.connectionId).not.toBe(first!.bindings.connectionId);
  });
});
