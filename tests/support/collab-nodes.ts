import http from "node:http";
import type { AddressInfo } from "node:net";
import { CollabServer, type CollabLimits, type CollabLogger } from "../../server/collab/collab-server";
import { stack } from "./supabase";

/**
 * A collaboration server of the test's own, in this process, on the test stack's database: several of them stand for
 * several app servers on one database (issue 19) without starting whole processes. Process tests start real ones.
 */
export interface CollabNode {
  collab: CollabServer;
  url: string;
  /** What it logged at warn and error level. */
  problems: string[];
  /** SIGTERM's path: refuse, store, compact, disconnect. */
  close: () => Promise<void>;
}

function recordingLogger(problems: string[]): CollabLogger {
  const logger: CollabLogger = {
    child: () => logger,
    debug: () => undefined,
    info: () => undefined,
    warn: (_fields, message) => problems.push(message),
    error: (_fields, message) => problems.push(message),
  };
  return logger;
}

export async function startCollabNode(limits: Partial<CollabLimits> = {}): Promise<CollabNode> {
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  const problems: string[] = [];
  const collab = new CollabServer({
    databaseUrl: stack().databaseUrl,
    jwtSecret: stack().jwtSecret,
    siteUrl: url,
    logger: recordingLogger(problems),
    limits,
  });
  await collab.start();
  server.on("upgrade", (req, socket, head) => {
    if (collab.handles(req)) void collab.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  let closed: Promise<void> | undefined;
  return {
    collab,
    url,
    problems,
    close: () =>
      (closed ??= (async () => {
        await collab.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
}
