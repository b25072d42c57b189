import i18next from "i18next";
import type pg from "pg";
import { isLanguageCode, resources } from "../app/i18n/config.js";
import { notificationLink } from "../app/lib/notification-links.js";
import type { Mailer } from "./mailer.js";

/**
 * Sends the notification outbox: rows are claimed with SKIP LOCKED and marked in the same transaction as the
 * send, so two servers never mail twice and a crash before commit mails again rather than never.
 */
export class NotificationMailer {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<void> | undefined;
  private readonly t = i18next.createInstance();

  constructor(
    private readonly pool: pg.Pool,
    private readonly mailer: Mailer,
    private readonly siteUrl: string,
    private readonly log: (message: string) => void,
  ) {
    void this.t.init({ resources, fallbackLng: "en", initAsync: false, interpolation: { escapeValue: false }, showSupportNotice: false });
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
      .then(() => undefined)
      .catch((error: Error) => this.log(`notification mailer: ${error.message}`))
      .finally(() => (this.running = undefined));
    await this.running;
  }

  async sendBatch(limit = 50): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query("begin");
      const { rows } = await client.query<{
        id: string; kind: string; entity_type: string; entity_id: string; payload: Record<string, unknown>; email: string; locale: string;
      }>(
        `select n.id, n.kind, n.entity_type, n.entity_id, n.payload, p.email, p.locale
         from public.notifications n join public.profiles p on p.id = n.recipient_id
         where n.emailed_at is null order by n.id limit $1 for update of n skip locked`,
        [limit],
      );
      for (const row of rows) {
        const language = isLanguageCode(row.locale) ? row.locale : "en";
        const t = this.t.getFixedT(language);
        const link = new URL(notificationLink(row.kind, row.entity_type, row.entity_id), this.siteUrl).toString();
        await this.mailer.send({
          to: row.email,
          subject: t(`notifications.kinds.${row.kind}`, { defaultValue: t("notifications.generic") }),
          text: `${t(`notifications.kinds.${row.kind}`, { defaultValue: t("notifications.generic") })}\n\n${t("notifications.open")}: ${link}\n`,
        });
      }
      if (rows.length) await client.query("update public.notifications set emailed_at = now() where id = any($1)", [rows.map((row) => row.id)]);
      await client.query("commit");
      return rows.length;
    } catch (error) {
      await client.query("rollback").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
