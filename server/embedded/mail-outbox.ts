import type pg from "pg";

export interface OutboxMail {
  id: number;
  toEmail: string;
  subject: string;
  textBody: string;
  createdAt: string;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** An HTML alternative (auth mails carry one so Arabic reads right to left). */
  html?: string;
}

/** As pg returns it: bigint ids as text, timestamps as Date. */
type OutboxRow = Omit<OutboxMail, "id" | "createdAt"> & { id: string; createdAt: Date };

const toMail = (row: OutboxRow): OutboxMail => ({
  ...row,
  id: Number(row.id),
  createdAt: new Date(row.createdAt).toISOString(),
});

/** Embedded mode delivers mail to a table that the dev-only mail viewer reads; nothing leaves the machine. */
export class MailOutbox {
  constructor(private readonly pool: pg.Pool) {}

  async send(message: MailMessage): Promise<void> {
    await this.pool.query(
      "insert into embedded.mail_outbox (to_email, subject, text_body, html_body) values ($1, $2, $3, $4)",
      [message.to, message.subject, message.text, message.html ?? null],
    );
  }

  async list(limit = 100): Promise<OutboxMail[]> {
    const { rows } = await this.pool.query<OutboxRow>(
      `select id, to_email as "toEmail", subject, text_body as "textBody", created_at as "createdAt"
       from embedded.mail_outbox order by id desc limit $1`,
      [limit],
    );
    return rows.map(toMail);
  }

  async get(id: number): Promise<OutboxMail | undefined> {
    const { rows } = await this.pool.query<OutboxRow>(
      `select id, to_email as "toEmail", subject, text_body as "textBody", created_at as "createdAt"
       from embedded.mail_outbox where id = $1`,
      [id],
    );
    const row = rows[0];
    return row ? toMail(row) : undefined;
  }
}
