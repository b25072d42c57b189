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

interface ClaimedMail {
  id: string;
  kind: string;
  entity_type: string;
  entity_id: string;
  mail_attempts: number;
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

interface ClaimedDigest {
  id: string;
  attempts: number;
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

  start(intervalMs = 1000) {
    this.timer = setInterval(() => void this.tick(), intervalMs);
  }

  async stop() {
    clearInterval(this.timer);
    await this.running;
  }

  private async tick() {
    if (this.running) return;
    this.running = this.sendBatch()
      .then(() => this.sendDigests())
      .then(() => this.sendReminders())
      .then(() => undefined)
      .catch((error: Error) => this.log(`notification mailer: ${error.message}`))
      .finally(() => (this.running = undefined));
    await this.running;
  }

  private remindersCheckedAt = 0;

  /**
   * Due and overdue reminders of progress reports (issue 16), at most once a minute. The database claims each
   * reminder with `for update skip locked` and stamps it, so N servers send each exactly once.
   */
  async sendReminders(now = Date.now()): Promise<number> {
    if (now - this.remindersCheckedAt < 60_000) return 0;
    this.remindersCheckedAt = now;
    const { rows } = await this.pool.query<{ sent: number }>("select private.send_report_reminders(7) as sent");
    return rows[0]?.sent ?? 0;
  }

  /** Sends the mails that are due, one by one; returns how many were sent. A failing mail never stops the rest. */
  async sendBatch(limit = this.options.batchLimit): Promise<number> {
    let sent = 0;
    for (let handled = 0; handled < limit; handled += 1) {
      const mail = await this.claim();
      if (!mail) break;
      if ((await this.deliver(mail)) === "sent") sent += 1;
    }
    return sent;
  }

  /** One statement, so the row lock lives only as long as it: skip rows another sender holds, mark ours 'sending'. */
  private async claim(): Promise<ClaimedMail | undefined> {
    const { rows } = await this.pool.query<ClaimedMail>(
      `with due as (
         select n.id from public.notifications n
         where n.mail_state in ('pending', 'sending') and n.mail_next_attempt_at <= now()
         order by n.mail_next_attempt_at, n.id
         limit 1
         for update skip locked
       )
       update public.notifications n
       set mail_state = 'sending', mail_attempts = n.mail_attempts + 1,
           mail_lease_until = now() + make_interval(secs => $1::double precision / 1000),
           mail_next_attempt_at = now() + make_interval(secs => $1::double precision / 1000)
       from due
       where n.id = due.id
       returning n.id::text, n.kind, n.entity_type, n.entity_id::text, n.mail_attempts, n.created_at, n.payload,
         (select p.email from public.profiles p where p.id = n.recipient_id) as email,
         (select p.locale from public.profiles p where p.id = n.recipient_id) as locale,
         (select p.time_zone from public.profiles p where p.id = n.recipient_id) as time_zone`,
      [this.options.leaseMs],
    );
    return rows[0];
  }

  private async deliver(mail: ClaimedMail): Promise<MailOutcome> {
    try {
      if (!mail.email) throw new Error("the recipient has no email address");
      const language = mail.locale && isLanguageCode(mail.locale) ? mail.locale : "en";
      const t = this.t.getFixedT(language);
      const zone = mail.time_zone ?? FALLBACK_TIME_ZONE;
      const subject = t(`notifications.kinds.${mail.kind}`, { defaultValue: t("notifications.generic") });
      const lines = [subject, "", ...this.itemLines(mail, language, zone)];
      await this.mailer.send({ to: mail.email, subject, text: `${lines.join("\n")}\n${this.settingsLine(t)}` });
    } catch (error) {
      return this.recordFailure(mail, error instanceof Error ? error.message : String(error));
    }
    const { rowCount } = await this.pool.query(
      `update public.notifications set mail_state = 'sent', emailed_at = now(), mail_lease_until = null, mail_last_error = null
       where id = $1 and mail_state = 'sending' and mail_attempts = $2`,
      [mail.id, mail.mail_attempts],
    );
    if (rowCount === 1) return "sent";
    this.log(`notification mailer: mail ${mail.id} was sent after its claim expired`);
    return "lost-claim";
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

  /**
   * The daily digests (issue 17): opens today's digest for everyone due (one per person per day, decided by the
   * database's unique key, so N servers open it once), then sends them one by one with the same claim, lease and
   * retry as single mails. Returns how many digests were sent.
   */
  async sendDigests(limit = this.options.batchLimit): Promise<number> {
    await this.pool.query("select private.open_due_digests($1)", [this.options.digestHour]);
    let sent = 0;
    for (let handled = 0; handled < limit; handled += 1) {
      const digest = await this.claimDigest();
      if (!digest) break;
      if ((await this.deliverDigest(digest)) === "sent") sent += 1;
    }
    return sent;
  }

  private async claimDigest(): Promise<ClaimedDigest | undefined> {
    const { rows } = await this.pool.query<ClaimedDigest>(
      `with due as (
         select d.id from public.notification_digests d
         where d.state in ('pending', 'sending') and d.next_attempt_at <= now()
         order by d.next_attempt_at, d.id
         limit 1
         for update skip locked
       )
       update public.notification_digests d
       set state = 'sending', attempts = d.attempts + 1,
           lease_until = now() + make_interval(secs => $1::double precision / 1000),
           next_attempt_at = now() + make_interval(secs => $1::double precision / 1000)
       from due
       where d.id = due.id
       returning d.id::text, d.attempts, d.time_zone,
         (select p.email from public.profiles p where p.id = d.person_id) as email,
         (select p.locale from public.profiles p where p.id = d.person_id) as locale`,
      [this.options.leaseMs],
    );
    return rows[0];
  }

  private async deliverDigest(digest: ClaimedDigest): Promise<MailOutcome> {
    try {
      if (!digest.email) throw new Error("the recipient has no email address");
      const { rows: items } = await this.pool.query<DigestItem>(
        `select kind, entity_type, entity_id::text, created_at, payload from public.notifications
         where digest_id = $1 order by id`,
        [digest.id],
      );
      const language = digest.locale && isLanguageCode(digest.locale) ? digest.locale : "en";
      const t = this.t.getFixedT(language);
      const subject = t("notifications.mail.digestSubject", { count: items.length });
      const lines = [subject, ""];
      for (const item of items) {
        lines.push(`- ${t(`notifications.kinds.${item.kind}`, { defaultValue: t("notifications.generic") })}`);
        lines.push(...this.itemLines(item, language, digest.time_zone).map((line) => `  ${line}`));
        lines.push("");
      }
      await this.mailer.send({ to: digest.email, subject, text: `${lines.join("\n")}${this.settingsLine(t)}` });
    } catch (error) {
      return this.recordDigestFailure(digest, error instanceof Error ? error.message : String(error));
    }
    const { rowCount } = await this.pool.query(
      `update public.notification_digests set state = 'sent', sent_at = now(), lease_until = null, last_error = null
       where id = $1 and state = 'sending' and attempts = $2`,
      [digest.id, digest.attempts],
    );
    if (rowCount === 1) {
      await this.pool.query("update public.notifications set emailed_at = now() where digest_id = $1", [digest.id]);
      return "sent";
    }
    this.log(`notification mailer: digest ${digest.id} was sent after its claim expired`);
    return "lost-claim";
  }

  private async recordDigestFailure(digest: ClaimedDigest, message: string): Promise<MailOutcome> {
    const last = digest.attempts >= this.options.maxAttempts;
    const delay = Math.min(this.options.retryBaseMs * 2 ** (digest.attempts - 1), this.options.maxRetryDelayMs);
    const { rowCount } = await this.pool.query(
      `update public.notification_digests
       set state = $3, lease_until = null, last_error = left($4, 1000),
           next_attempt_at = now() + make_interval(secs => $5::double precision / 1000)
       where id = $1 and state = 'sending' and attempts = $2`,
      [digest.id, digest.attempts, last ? "failed" : "pending", message, delay],
    );
    this.log(
      `notification mailer: digest ${digest.id} attempt ${digest.attempts} failed (${message})${last ? "; giving up" : ""}`,
    );
    if (rowCount !== 1) return "lost-claim";
    return last ? "failed" : "retry";
  }

  private async recordFailure(mail: ClaimedMail, message: string): Promise<MailOutcome> {
    const last = mail.mail_attempts >= this.options.maxAttempts;
    const delay = Math.min(this.options.retryBaseMs * 2 ** (mail.mail_attempts - 1), this.options.maxRetryDelayMs);
    const { rowCount } = await this.pool.query(
      `update public.notifications
       set mail_state = $3, mail_lease_until = null, mail_last_error = left($4, 1000),
           mail_next_attempt_at = now() + make_interval(secs => $5::double precision / 1000)
       where id = $1 and mail_state = 'sending' and mail_attempts = $2`,
      [mail.id, mail.mail_attempts, last ? "failed" : "pending", message, delay],
    );
    this.log(
      `notification mailer: mail ${mail.id} attempt ${mail.mail_attempts} failed (${message})${last ? "; giving up" : ""}`,
    );
    if (rowCount !== 1) return "lost-claim";
    return last ? "failed" : "retry";
  }
}
