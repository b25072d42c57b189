/**
 * Peer for the collaboration benchmark: Hocuspocus with its Database extension storing each document's state in
 * Postgres (the benchmark's own table, in the same database as ours), at Hocuspocus's default debounce (2 s,
 * at most 10 s). No authorisation. Run by collab.bench.ts in its own process (IPC for stats).
 */
import { Database } from "@hocuspocus/extension-database";
import { Server } from "@hocuspocus/server";
import pg from "pg";

const port = Number(process.env.PORT);
const table = process.env.HOCUSPOCUS_TABLE ?? "bench_hocuspocus.documents";
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 8, application_name: "bench-hocuspocus" });
pool.on("error", () => undefined); // our server's restarts restart the database; the pool reconnects on next use

const server = new Server({
  port,
  address: "127.0.0.1",
  quiet: true,
  extensions: [
    new Database({
      fetch: async ({ documentName }) => {
        const { rows } = await pool.query<{ data: Buffer }>(`select data from ${table} where name = $1`, [
          documentName,
        ]);
        return rows[0] ? new Uint8Array(rows[0].data) : null;
      },
      store: async ({ documentName, state }) => {
        await pool.query(
          `insert into ${table} (name, data) values ($1, $2) on conflict (name) do update set data = excluded.data`,
          [documentName, state],
        );
      },
    }),
  ],
});

process.on("message", (message: { type: string; id: number }) => {
  if (message.type === "stats")
    process.send?.({ type: "stats", id: message.id, documents: server.hocuspocus.getDocumentsCount() });
});
process.on("disconnect", () => process.exit(0));

await server.listen();
process.send?.({ type: "ready" });
