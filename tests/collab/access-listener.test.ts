import { randomBytes, randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { AccessListener, parseAccessSignal, type AccessSignal } from "../../server/collab/access-listener";
import type { CollabLogger } from "../../server/collab/logger";
import { waitFor } from "../support/collab";
import { buildUser, stack, withDatabase } from "../support/supabase";

/*
 * The rights-change listener on the test stack's real Postgres. Synthetic signals go to a channel of each test's own,
 * so the shared server's listener never hears them; the real trigger's signal is checked on the real channel.
 */

interface Heard {
  notifications: (AccessSignal | undefined)[];
  batches: { subjects: string[]; epoch: bigint }[];
  reconnections: bigint[];
  warnings: string[];
}

const listeners: AccessListener[] = [];

afterEach(async () => {
  await Promise.all(listeners.splice(0).map((listener) => listener.close()));
});

function recordingLogger(warnings: string[]): CollabLogger {
  const logger: CollabLogger = {
    child: () => logger,
    debug: () => undefined,
    info: () => undefined,
    warn: (_fields, message) => warnings.push(message),
    error: (_fields, message) => warnings.push(message),
  };
  return logger;
}

function listen(channel?: string) {
  const heard: Heard = { notifications: [], batches: [], reconnections: [], warnings: [] };
  const applicationName = `collab-listen-test-${randomBytes(4).toString("hex")}`;
  const listener = new AccessListener({
    connectionString: stack().databaseUrl,
    logger: recordingLogger(heard.warnings),
    isClosing: () => false,
    onNotification: (signal) => heard.notifications.push(signal),
    onBatch: (subjects, epoch) => heard.batches.push({ subjects, epoch }),
    onReconnected: (epoch) => heard.reconnections.push(epoch),
    channel,
    applicationName,
    retryMs: 100,
  });
  listeners.push(listener);
  return { listener, heard, applicationName };
}

const ownChannel = () => `test_access_${randomBytes(6).toString("hex")}`;

async function currentEpoch(): Promise<bigint> {
  return withDatabase(async (db) => {
    const result = await db.query<{ epoch: string }>("select epoch from private.plan_access_epoch");
    return BigInt(result.rows[0]?.epoch ?? 0);
  });
}

async function backendsNamed(name: string): Promise<number> {
  return withDatabase(
    async (db) => (await db.query("select 1 from pg_stat_activity where application_name = $1", [name])).rows.length,
  );
}

describe("parseAccessSignal", () => {
  it("reads kind:id@epoch and refuses anything else", () => {
    const id = randomUUID();
    expect(parseAccessSignal(`user:${id}@12`)).toEqual({ kind: "user", id, epoch: 12n });
    expect(parseAccessSignal(`review:${id}@9223372036854775807`)?.epoch).toBe(9223372036854775807n);
    for (const payload of [undefined, "", `user:${id}`, `group:${id}@1`, `user:not-a-uuid@1`, `user:${id}@-1`])
      expect(parseAccessSignal(payload)).toBeUndefined();
  });
});

describe("AccessListener", () => {
  it("hears a real rights change with its committed epoch", async () => {
    const user = await buildUser(["applicant"]);
    const before = await currentEpoch();
    const { listener, heard } = listen();
    expect(await listener.start()).toBeGreaterThanOrEqual(before);
    expect(listener.listening).toBe(true);

    await withDatabase((db) =>
      db.query("update auth.users set banned_until = now() + interval '1 hour' where id = $1", [user.id]),
    );
    await waitFor(
      () => heard.batches.some((batch) => batch.subjects.includes(`user:${user.id}`)),
      10_000,
      "the ban's signal",
    );
    const signal = heard.notifications.find((note) => note?.id === user.id);
    expect(signal?.kind).toBe("user");
    expect(signal!.epoch).toBeGreaterThan(before);
    expect(heard.batches.at(-1)!.epoch).toBeGreaterThanOrEqual(signal!.epoch);
  });

  it("batches the signals of one commit, with the highest epoch, and reports a malformed one", async () => {
    const channel = ownChannel();
    const { listener, heard } = listen(channel);
    await listener.start();
    const [user, application] = [randomUUID(), randomUUID()];
    await withDatabase((db) =>
      db.query("select pg_notify($1, $2), pg_notify($1, $3), pg_notify($1, 'nonsense')", [
        channel,
        `user:${user}@7`,
        `application:${application}@9`,
      ]),
    );
    await waitFor(() => heard.batches.length > 0 && heard.notifications.length === 3, 10_000, "the batch");
    expect(heard.batches).toEqual([{ subjects: [`user:${user}`, `application:${application}`], epoch: 9n }]);
    expect(heard.notifications[2]).toBeUndefined();
    expect(heard.warnings).toEqual(['ignored a malformed rights-change signal "nonsense"']);
  });

  it("listens again after its connection is killed, says so, and hears what comes next", async () => {
    const channel = ownChannel();
    const { listener, heard, applicationName } = listen(channel);
    await listener.start();
    await withDatabase((db) =>
      db.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1", [applicationName]),
    );
    await waitFor(() => heard.reconnections.length === 1, 10_000, "the listener to reconnect");
    expect(listener.listening).toBe(true);
    expect(heard.warnings.some((line) => line.startsWith("lost the rights-change listener"))).toBe(true);
    expect(heard.reconnections[0]).toBeGreaterThanOrEqual(0n);

    const user = randomUUID();
    await withDatabase((db) => db.query("select pg_notify($1, $2)", [channel, `user:${user}@3`]));
    await waitFor(() => heard.batches.length === 1, 10_000, "a signal after reconnecting");
    expect(heard.batches[0]!.subjects).toEqual([`user:${user}`]);

    await listener.close();
    expect(listener.listening).toBe(false);
    await waitFor(async () => (await backendsNamed(applicationName)) === 0, 10_000, "the connection to close");
  });

  it("refuses a channel name it would have to quote", () => {
    expect(() => listen("plan_access_changed; drop table x")).toThrow(/bad channel name/);
  });
});
