/**
 * Peer for the collaboration benchmark: the bare y-websocket reference server (@y/websocket-server), no
 * authorisation, no persistence, on a loopback port. Run by collab.bench.ts in its own process (IPC for stats).
 */
import http from "node:http";
import { docs, setupWSConnection } from "@y/websocket-server/utils";
import { WebSocketServer } from "ws";

const port = Number(process.env.PORT);
const server = http.createServer((_req, res) => res.writeHead(200).end("bare y-websocket"));
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
wss.on("connection", (socket, req) => setupWSConnection(socket, req));
server.on("upgrade", (req, socket, head) =>
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req)),
);

process.on("message", (message: { type: string; id: number }) => {
  if (message.type === "stats") process.send?.({ type: "stats", id: message.id, documents: docs.size });
});
process.on("SIGTERM", () => process.exit(0));
process.on("disconnect", () => process.exit(0));

server.listen(port, "127.0.0.1", () => process.send?.({ type: "ready" }));
