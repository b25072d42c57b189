import i18next, { type TFunction } from "i18next";
import type pg from "pg";
import { isLanguageCode } from "../app/i18n/config.js";
import { resources } from "../app/i18n/resources.server.js";
import { FALLBACK_TIME_ZONE, formatDateTime } from "../app/lib/datetime.js";
import { notificationLink } from "../app/lib/notification-links.js";
import type { Mailer } from "./mailer.js";

export interface NotificationMailerOptions {
  /** Claims of one mail before it is marked 'failed' (the first send counts). */
  maxAttempts?: number;
  /** Delay before the first retry; doubled after each failure, capped at maxRetryDelayMs. */
  retryBaseMs?: number;
  maxRetryDelayMs?: number;
  /** How long a claim holds; a sender that crashed mid-send loses its claim after this. Keep it above SMTP timeouts. */
  leaseMs?: number;
  /** Mails sent per tick at most, so one tick never runs unbounded. */
  batchLimit?: number;
  /** The hour (0-23) of each reader's own day from which their daily digest goes out (issue 17). */
  digestHour?: number;
}

interface ClaimedMail extends Claimed {
  kind: string;
  entity_type: string;
  entity_id: string;
  email: string | null;
  locale: string | null;
  time_zone: string | null;
  created_at: Date;
  payload: NotificationPayload | null;
}

/** What a comment notification carries (issue 17): who wrote and the first words. */
interface NotificationPayload {
  author?: string;
  excerpt?: string;
}

interface ClaimedDigest extends Claimed {
  email: string | null;
  locale: string | null;
  time_zone: string;
}

interface DigestItem {
  kind: string;
  entity_type: string;
  entity_id: string;
  created_at: Date;
  payload: NotificationPayload | null;
}

export type MailOutcome = "sent" | "retry" | "failed" | "lost-claim";

/** A claimed row of an outbox: its id and the attempt number that fences its claim. */
interface Claimed {
  id: string;
  attempts: number;
}

/**
 * One outbox table's columns (constants of this file, never input): single notifications and daily digests are both
 * claimed, sent and retried the same way, so one claimed-delivery loop serves both.
 */
interface Outbox {
  name: string;
  table: string;
  state: string;
  attempts: string;
  lease: string;
  next: string;
  lastError: string;
  /** Extra assignments when marked sent. */
  sentSet: string;
  /** What a claim returns beside `id` and `attempts` (columns of alias `o`). */
  returning: string;
}

const notificationOutbox: Outbox = {
  name: "mail",
  table: "public.notifications",
  state: "mail_state",
  attempts: "mail_attempts",
  lease: "mail_lease_until",
  next: "mail_next_attempt_at",
  lastError: "mail_last_error",
  sentSet: "emailed_at = now()",
  returning: `o.kind, o.entity_type, o.entity_id::text, o.created_at, o.payload,
    (select p.email from public.profiles p where p.id = o.recipient_id) as email,
    (select p.locale from public.profiles p where p.id = o.recipient_id) as locale,
    (select p.time_zone from public.profiles p where p.id = o.recipient_id) as time_zone`,
};

const digestOutbox: Outbox = {
  name: "digest",
  table: "public.notification_digests",
  state: "state",
  attempts: "attempts",
  lease: "lease_until",
  next: "next_attempt_at",
  lastError: "last_error",
  sentSet: "sent_at = now()",
  returning: `o.time_zone,
    (select p.email from public.profiles p where p.id = o.person_id) as email,
    (select p.locale from public.profiles p where p.id = o.person_id) as locale`,
};

const defaults: Required<NotificationMailerOptions> = {
  maxAttempts: 6,
  retryBaseMs: 60_000,
  maxRetryDelayMs: 6 * 60 * 60_000,
  leaseMs: 5 * 60_000,
  batchLimit: 50,
  digestHour: 7,
};

/**
 * Sends the notification outbox one mail at a time (issue 11: one failing mail used to roll back the whole batch
 * and held row locks while talking to SMTP). Each mail is claimed by one atomic statement (`for update skip
 * locked`, then marked 'sending' with a lease), sent with no lock or transaction open, then marked 'sent' only if
 * this sender still holds the claim (its attempt number fences a sender whose lease expired). A failure schedules
 * a retry with exponential backoff, and 'failed' after the last attempt. N servers never send a mail twice while
 * they live; a sender killed after SMTP accepted a mail but before marking it resends it once its lease expires.
 */
export class NotificationMailer {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<void> | undefined;
  private readonly t = i18next.createInstance();
  private readonly options: Required<NotificationMailerOptions>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly mailer: Mailer,
    private readonly siteUrl: string,
    private readonly log: (message: string) => void,
    options: NotificationMailerOptions = {},
  ) {
    this.options = { ...defaults, ...options };
    void this.t.init({
      resources,
      fallbackLng: "en",
      initAsync: false,
      interpolation: { escapeValue: false },
      showSupportNotice: false,
    });
  }

  /** Sends what is due now, then every `intervalMs`. */
  start(intervalMs = 1000) {
    this.timer = setInterval(() => void this.tick(), intervalMs);
    void this.tick();
  }

  async stop() {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async tick() {
    if (this.running) return;
    this.running = this.sendDue()
      .catch((error: Error) => this.log(`notification mailer: ${error.message}`))
      .finally(() => (this.running = undefined));
    await this.running;
  }

  /**
   * Batch after batch while each one is full, then the digests: a burst (a call opening, a busy test run) drains as
   * fast as the mail server takes it, where one batch per tick capped every server at 50 mails a second and a mail
   * waited behind the whole backlog.
   */
  private async sendDue(): Promise<void> {
    while (this.timer !== undefined && (await this.sendBatch()) === this.options.batchLimit) {
      // A full batch: more may be due.
    }
    await this.sendDigests();
  }

  /** Sends the mails that are due, one by one; returns how many were sent. A failing mail never stops the rest. */
  async sendBatch(limit = this.options.batchLimit): Promise<number> {
    return this.drain<ClaimedMail>(notificationOutbox, limit, (mail) => this.sendMail(mail));
  }

  /**
   * The daily digests (issue 17): opens today's digest for everyone due (one per person per day, decided by the
   * database's unique key, so N servers open it once), then sends them one by one with the same claim, lease and
   * retry as single mails. Returns how many digests were sent.
   */
  async sendDigests(limit = this.options.batchLimit): Promise<number> {
    await this.pool.query("select private.open_due_digests($1)", [this.options.digestHour]);
    return this.drain<ClaimedDigest>(digestOutbox, limit, async (digest) => {
      await this.sendDigest(digest);
      return async () => {
        await this.pool.query("update public.notifications set emailed_at = now() where digest_id = $1", [digest.id]);
      };
    });
  }

  /**
   * Claims, sends and settles up to `limit` rows of one outbox. `send` throws to fail the attempt; it may return an
   * action to run once the row is marked sent.
   */
  private async drain<Row extends Claimed>(
    outbox: Outbox,
    limit: number,
    send: (row: Row) => Promise<void | (() => Promise<void>)>,
  ): Promise<number> {
    let sent = 0;
    for (let handled = 0; handled < limit; handled += 1) {
      const row = await this.claim<Row>(outbox);
      if (!row) break;
      if ((await this.deliver(outbox, row, send)) === "sent") sent += 1;
    }
    return sent;
  }

  /** One statement, so the row lock lives only as long as it: skip rows another sender holds, mark ours 'sending'. */
  private async claim<Row extends Claimed>(outbox: Outbox): Promise<Row | undefined> {
    const { table, state, attempts, lease, next } = outbox;
    const { rows } = await this.pool.query<Row>(
      `with due as (
         select o.id from ${table} o
         where o.${state} in ('pending', 'sending') and o.${next} <= now()
         order by o.${next}, o.id
         limit 1
         for update skip locked
       )
       update ${table} o
       set ${state} = 'sending', ${attempts} = o.${attempts} + 1,
           ${lease} = now() + make_interval(secs => $1::double precision / 1000),
           ${next} = now() + make_interval(secs => $1::double precision / 1000)
       from due
       where o.id = due.id
       returning o.id::text, o.${attempts} as attempts, ${outbox.returning}`,
      [this.options.leaseMs],
    );
    return rows[0];
  }

  /** Sends with no lock or transaction open, then marks the row sent only if this sender still holds the claim. */
  private async deliver<Row extends Claimed>(
    outbox: Outbox,
    row: Row,
    send: (row: Row) => Promise<void | (() => Promise<void>)>,
  ): Promise<MailOutcome> {
    let afterSent: void | (() => Promise<void>);
    try {
      afterSent = await send(row);
    } catch (error) {
      return this.recordFailure(outbox, row, error instanceof Error ? error.message : String(error));
    }
    const { rowCount } = await this.pool.query(
      `update ${outbox.table}
       set ${outbox.state} = 'sent', ${outbox.sentSet}, ${outbox.lease} = null, ${outbox.lastError} = null
       where id = $1 and ${outbox.state} = 'sending' and ${outbox.attempts} = $2`,
      [row.id, row.attempts],
    );
    if (rowCount === 1) {
      if (afterSent) await afterSent();
      return "sent";
    }
    this.log(`notification mailer: ${outbox.name} ${row.id} was sent after its claim expired`);
    return "lost-claim";
  }

  /** A failed attempt: retry with exponential backoff, or 'failed' after the last attempt. */
  private async recordFailure(outbox: Outbox, row: Claimed, message: string): Promise<MailOutcome> {
    const last = row.attempts >= this.options.maxAttempts;
    const delay = Math.min(this.options.retryBaseMs * 2 ** (row.attempts - 1), this.options.maxRetryDelayMs);
    const { rowCount } = await this.pool.query(
      `update ${outbox.table}
       set ${outbox.state} = $3, ${outbox.lease} = null, ${outbox.lastError} = left($4, 1000),
           ${outbox.next} = now() + make_interval(secs => $5::double precision / 1000)
       where id = $1 and ${outbox.state} = 'sending' and ${outbox.attempts} = $2`,
      [row.id, row.attempts, last ? "failed" : "pending", message, delay],
    );
    this.log(
      `notification mailer: ${outbox.name} ${row.id} attempt ${row.attempts} failed (${message})${last ? "; giving up" : ""}`,
    );
    if (rowCount !== 1) return "lost-claim";
    return last ? "failed" : "retry";
  }

  /** One notification's mail in the reader's language and zone. */
  private async sendMail(mail: ClaimedMail): Promise<void> {
    if (!mail.email) throw new Error("the recipient has no email address");
    const language = mail.locale && isLanguageCode(mail.locale) ? mail.locale : "en";
    const t = this.t.getFixedT(language);
    const zone = mail.time_zone ?? FALLBACK_TIME_ZONE;
    const subject = t(`notifications.kinds.${mail.kind}`, { defaultValue: t("notifications.generic") });
    const lines = [subject, "", ...this.itemLines(mail, language, zone)];
    await this.mailer.send({ to: mail.email, subject, text: `${lines.join("\n")}\n${this.settingsLine(t)}` });
  }

  /** One person's digest: every notification it gathered, in their language and zone. */
  private async sendDigest(digest: ClaimedDigest): Promise<void> {
    if (!digest.email) throw new Error("the recipient has no email address");
    const { rows: items } = await this.pool.query<DigestItem>(
      `select kind, entity_type, entity_id::text, created_at, payload from public.notifications
       where digest_id = $1 order by id`,
      [digest.id],
    );
    const language = digest.locale && isLanguageCode(digest.locale) ? digest.locale : "en";
    const t = this.t.getFixedT(language);
    const subject = t("notifications.mail.digestSubject", { total: items.length });
    const lines = [subject, ""];
    for (const item of items) {
      lines.push(`- ${t(`notifications.kinds.${item.kind}`, { defaultValue: t("notifications.generic") })}`);
      lines.push(...this.itemLines(item, language, digest.time_zone).map((line) => `  ${line}`));
      lines.push("");
    }
    await this.mailer.send({ to: digest.email, subject, text: `${lines.join("\n")}${this.settingsLine(t)}` });
  }

  /** The body of one notification: when (the reader's zone, named), who wrote what (comments), and the link. */
  private itemLines(item: DigestItem, language: string, zone: string): string[] {
    const t = this.t.getFixedT(language);
    const link = new URL(notificationLink(item.kind, item.entity_type, item.entity_id), this.siteUrl).toString();
    const lines = [`${t("notifications.mail.when")}: ${formatDateTime(item.created_at, language, zone)}`];
    if (item.payload?.excerpt) {
      lines.push(`${item.payload.author || t("notifications.mail.someone")}: «${item.payload.excerpt}»`);
    }
    lines.push(`${t("notifications.open")}: ${link}`);
    return lines;
  }

  private settingsLine(t: TFunction): string {
    return `\n${t("notifications.mail.settings")}: ${new URL("/settings/notifications", this.siteUrl).toString()}\n`;
  }
}
