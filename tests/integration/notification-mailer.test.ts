import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SmtpMailer } from "../../server/mailer";
import { NotificationMailer } from "../../server/notification-mailer";
import { prepareDatabase } from "../../server/embedded/stack";
import { readSecrets } from "../support/server-process";
import { stack, withDatabase } from "../support/supabase";

// The shared test server runs its own notification mailer on its database; these tests migrate a database of
// their own in the same PostgreSQL, so only the mailers under test send from it.
const databaseName = `mailer_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
let pool: pg.Pool;
let otherPool: pg.Pool;

interface Received {
  to: string;
  text: string;
  at: number;
}
let smtp: SMTPServer;
let smtpPort: number;
const received: Received[] = [];
const refusals: { to: string; at: number }[] = [];
/** While set, the server holds each message's DATA until the promise resolves (a slow SMTP server). */
let holdData: Promise<void> | undefined;
let dataStarted: (() => void) | undefined;

const BAD = "nobody@refused.test";

beforeAll(async () => {
  await withDatabase((db) => db.query(`create database ${databaseName}`));
  const url = new URL(stack().databaseUrl);
  url.pathname = `/${databaseName}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await prepareDatabase(client, readSecrets(stack().dataDir).authenticatorPassword);
  } finally {
    await client.end();
  }
  pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  otherPool = new pg.Pool({ connectionString: url.toString(), max: 4 });

  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address === BAD) {
        refusals.push({ to: address.address, at: Date.now() });
        callback(Object.assign(new Error("550 5.1.1 mailbox unavailable"), { responseCode: 550 }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      let raw = "";
      stream.on("data", (chunk: Buffer) => (raw += chunk.toString()));
      stream.on("end", () => {
        dataStarted?.();
        void (holdData ?? Promise.resolve()).then(() => {
          for (const to of session.envelope.rcptTo) received.push({ to: to.address, text: raw, at: Date.now() });
          callback();
        });
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await pool?.end();
  await otherPool?.end();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  await withDatabase((db) => db.query(`drop database if exists ${databaseName} with (force)`));
});

beforeEach(async () => {
  received.length = 0;
  refusals.length = 0;
  holdData = undefined;
  dataStarted = undefined;
  await pool.query("delete from public.notifications");
});

async function person(email: string): Promise<string> {
  const id = randomUUID();
  await pool.query(
    "insert into auth.users (id, email, aud, role, email_confirmed_at, created_at) values ($1, $2, 'authenticated', 'authenticated', now(), now())",
    [id, email],
  );
  return id;
}

/** One notification each; returns their entity ids (each mail's link carries it). */
async function notify(recipientIds: string[]): Promise<string[]> {
  const entities: string[] = [];
  for (const recipient of recipientIds) {
    const entity = randomUUID();
    await pool.query(
      "insert into public.notifications (recipient_id, kind, entity_type, entity_id) values ($1, 'eoi_validated', 'eoi', $2)",
      [recipient, entity],
    );
    entities.push(entity);
  }
  return entities;
}

const smtpMailer = () => new SmtpMailer(`smtp://127.0.0.1:${smtpPort}`, "Accelerator Network <no-reply@test.local>");
const logs: string[] = [];
const mailerOn = (on: pg.Pool, options: ConstructorParameters<typeof NotificationMailer>[4] = {}) =>
  new NotificationMailer(on, smtpMailer(), "https://an.example.org", (line) => logs.push(line), options);

async function until<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const stateOf = async (entity: string) =>
  (
    await pool.query<{
      mail_state: string;
      mail_attempts: number;
      emailed_at: Date | null;
      mail_last_error: string | null;
    }>("select mail_state, mail_attempts, emailed_at, mail_last_error from public.notifications where entity_id = $1", [
      entity,
    ])
  ).rows[0]!;

describe("notification mail", () => {
  it("sends later mails when one is refused, retries the refused one with backoff, then marks it failed", async () => {
    const bad = await person(BAD);
    const good = await Promise.all([1, 2, 3].map((n) => person(`good-${n}-${randomUUID().slice(0, 6)}@example.org`)));
    const [badEntity, ...goodEntities] = await notify([bad, ...good]);
    const mailer = mailerOn(pool, { maxAttempts: 3, retryBaseMs: 2000 });

    // The refused mail is the oldest, so it is tried first; it is put back for later, not retried at once.
    expect(await mailer.sendBatch(1)).toBe(0);
    const afterFirst = await stateOf(badEntity!);
    expect(afterFirst).toMatchObject({ mail_state: "pending", mail_attempts: 1, emailed_at: null });
    expect(afterFirst.mail_last_error).toContain("550");
    const {
      rows: [wait],
    } = await pool.query<{ seconds: number }>(
      "select extract(epoch from mail_next_attempt_at - now())::float8 as seconds from public.notifications where entity_id = $1",
      [badEntity],
    );
    expect(wait!.seconds).toBeGreaterThan(1);

    // It does not hold back the mails after it (today's batch rolled them all back).
    await mailer.sendBatch();
    for (const entity of goodEntities) {
      expect(received.filter((mail) => mail.text.includes(entity))).toHaveLength(1);
      expect(await stateOf(entity)).toMatchObject({ mail_state: "sent", mail_attempts: 1 });
    }

    const failed = await until(
      async () => {
        await mailer.sendBatch();
        const state = await stateOf(badEntity!);
        return state.mail_state === "failed" ? state : undefined;
      },
      "the refused mail to be marked failed",
      45_000,
    );
    expect(failed.mail_attempts).toBe(3);
    expect(refusals).toHaveLength(3);
    // Exponential backoff: 2 s, then 4 s.
    expect(refusals[1]!.at - refusals[0]!.at).toBeGreaterThanOrEqual(2000);
    expect(refusals[2]!.at - refusals[1]!.at).toBeGreaterThanOrEqual(4000);

    // Failed is final: nothing is sent again, and the good mails were each sent once.
    expect(await mailer.sendBatch()).toBe(0);
    expect(refusals).toHaveLength(3);
    expect(received).toHaveLength(3);
  }, 90_000);

  it("sends a burst larger than a batch at once, not one batch per tick", async () => {
    const people = await Promise.all(
      Array.from({ length: 12 }, (_, n) => person(`burst-${n}-${randomUUID().slice(0, 6)}@example.org`)),
    );
    const entities = await notify(people);
    // Batches of 5 and a tick an hour apart: only draining batch after batch sends all 12 before the next tick.
    const mailer = mailerOn(pool, { batchLimit: 5 });
    mailer.start(60 * 60_000);
    try {
      await until(() => Promise.resolve(received.length >= entities.length), "all twelve mails");
      for (const entity of entities) expect(await stateOf(entity)).toMatchObject({ mail_state: "sent" });
    } finally {
      await mailer.stop();
    }
    expect(received).toHaveLength(12);
  });

  it("holds no row lock while talking to SMTP", async () => {
    const [entity] = await notify([await person(`slow-${randomUUID().slice(0, 6)}@example.org`)]);
    let release!: () => void;
    holdData = new Promise((resolve) => (release = resolve));
    const started = new Promise<void>((resolve) => (dataStarted = resolve));
    const sending = mailerOn(pool).sendBatch();
    await started;

    // The SMTP server is holding the message: the row is claimed but not locked.
    expect((await stateOf(entity!)).mail_state).toBe("sending");
    const locked = await (async () => {
      const client = await otherPool.connect();
      try {
        await client.query("begin");
        await client.query("select id from public.notifications where entity_id = $1 for update nowait", [entity]);
        await client.query("rollback");
        return false;
      } catch {
        await client.query("rollback").catch(() => undefined);
        return true;
      } finally {
        client.release();
      }
    })();
    expect(locked).toBe(false);
    // A second sender does not take a mail that is being sent.
    expect(await mailerOn(otherPool).sendBatch()).toBe(0);

    release();
    expect(await sending).toBe(1);
    expect((await stateOf(entity!)).mail_state).toBe("sent");
    expect(received).toHaveLength(1);
  });

  it("sends each mail exactly once with two mailers running at the same time on the same database", async () => {
    const recipients = await Promise.all(
      Array.from({ length: 8 }, (_, n) => person(`many-${n}-${randomUUID().slice(0, 6)}@example.org`)),
    );
    const entities = await notify(
      recipients.flatMap((recipient) => [recipient, recipient, recipient, recipient, recipient]),
    );
    const first = mailerOn(pool);
    const second = mailerOn(otherPool);

    const drain = async (mailer: NotificationMailer) => {
      let sent = 0;
      for (let batch = await mailer.sendBatch(5); batch > 0; batch = await mailer.sendBatch(5)) sent += batch;
      return sent;
    };
    const [byFirst, bySecond] = await Promise.all([drain(first), drain(second)]);

    expect(byFirst + bySecond).toBe(entities.length);
    expect(byFirst).toBeGreaterThan(0);
    expect(bySecond).toBeGreaterThan(0);
    expect(received).toHaveLength(entities.length);
    for (const entity of entities) expect(received.filter((mail) => mail.text.includes(entity))).toHaveLength(1);
    const { rows } = await pool.query<{ mail_state: string; count: string }>(
      "select mail_state, count(*) from public.notifications group by mail_state",
    );
    expect(rows).toEqual([{ mail_state: "sent", count: String(entities.length) }]);
  });

  it("takes over a mail whose sender crashed once its claim expires, and leaves a live claim alone", async () => {
    const [crashed, live] = await notify([
      await person(`crashed-${randomUUID().slice(0, 6)}@example.org`),
      await person(`live-${randomUUID().slice(0, 6)}@example.org`),
    ]);
    await pool.query(
      `update public.notifications set mail_state = 'sending', mail_attempts = 1,
         mail_lease_until = now() - interval '1 second', mail_next_attempt_at = now() - interval '1 second'
       where entity_id = $1`,
      [crashed],
    );
    await pool.query(
      `update public.notifications set mail_state = 'sending', mail_attempts = 1,
         mail_lease_until = now() + interval '5 minutes', mail_next_attempt_at = now() + interval '5 minutes'
       where entity_id = $1`,
      [live],
    );

    expect(await mailerOn(pool).sendBatch()).toBe(1);
    expect(await stateOf(crashed!)).toMatchObject({ mail_state: "sent", mail_attempts: 2 });
    expect(await stateOf(live!)).toMatchObject({ mail_state: "sending", mail_attempts: 1 });
    expect(received.map((mail) => mail.text.includes(crashed!))).toEqual([true]);
  });

  it("sends one daily digest per person per day, in their language, with exactly their waiting items, from two mailers at once", async () => {
    const amina = await person(`amina-${randomUUID().slice(0, 6)}@example.org`);
    const bruno = await person(`bruno-${randomUUID().slice(0, 6)}@example.org`);
    const chen = await person(`chen-${randomUUID().slice(0, 6)}@example.org`);
    await pool.query("update public.profiles set locale = 'fr' where id = $1", [bruno]);
    // Amina and Bruno want EoI news in a digest; Chen, who chose nothing, is mailed at once.
    await pool.query(
      `insert into public.notification_preferences (person_id, category, delivery)
       values ($1, 'eoi', 'daily_digest'), ($2, 'eoi', 'daily_digest')`,
      [amina, bruno],
    );
    const [aminaFirst, aminaSecond, brunoOnly, chenOnly] = await notify([amina, amina, bruno, chen]);
    // Hour 0: everyone's digest is due, whatever the time of day in their zone.
    const first = mailerOn(pool, { digestHour: 0 });
    const second = mailerOn(otherPool, { digestHour: 0 });
    const [byFirst, bySecond] = await Promise.all([first.sendDigests(), second.sendDigests()]);
    expect(byFirst + bySecond).toBe(2);
    // Sending again the same day opens no second digest, even for an item that arrived since.
    const [aminaLater] = await notify([amina]);
    expect((await first.sendDigests()) + (await second.sendDigests())).toBe(0);

    const mails = await Promise.all(
      received.map(async (mail) => ({ to: mail.to, parsed: await simpleParser(mail.text) })),
    );
    const digestOf = (recipient: string) => mails.filter((mail) => mail.to.startsWith(recipient));
    expect(digestOf("amina")).toHaveLength(1);
    expect(digestOf("bruno")).toHaveLength(1);
    expect(digestOf("chen")).toHaveLength(0);
    const aminaMail = digestOf("amina")[0]!.parsed;
    expect(aminaMail.subject).toBe("Your daily digest from Accelerator Network (2)");
    expect(aminaMail.text).toContain(aminaFirst);
    expect(aminaMail.text).toContain(aminaSecond);
    expect(aminaMail.text).not.toContain(brunoOnly);
    expect(aminaMail.text).not.toContain(aminaLater);
    const brunoMail = digestOf("bruno")[0]!.parsed;
    expect(brunoMail.subject).toBe("Votre récapitulatif quotidien d'Accelerator Network (1)");
    expect(brunoMail.text).toContain(brunoOnly);
    expect(brunoMail.text).not.toContain(aminaFirst);
    // The digested items are marked mailed; the later one waits for tomorrow's digest; Chen's single mail waits
    // for the single-mail loop.
    expect(await stateOf(aminaFirst!)).toMatchObject({ mail_state: "digested" });
    expect((await stateOf(aminaFirst!)).emailed_at).not.toBeNull();
    expect(await stateOf(aminaLater!)).toMatchObject({ mail_state: "digest", emailed_at: null });
    expect(await stateOf(chenOnly!)).toMatchObject({ mail_state: "pending" });
  });
});
