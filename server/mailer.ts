import nodemailer, { type Transporter } from "nodemailer";
import type { MailMessage, MailOutbox } from "./embedded/mail-outbox.js";

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/** Real SMTP delivery, for any deployment that sets SMTP_URL (smtp://user:password@host:587 or smtps://...). */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    // Bounded waits: a send must end well within the notification mailer's claim (lease) of five minutes.
    this.transport = nodemailer.createTransport({
      url: smtpUrl,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
    });
  }

  async send(message: MailMessage): Promise<void> {
    await this.transport.sendMail({
      from: this.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
    });
  }
}

/** SMTP when configured; otherwise the embedded stack's local outbox; otherwise nothing is mailed (null). */
export function createMailer(options: { smtpUrl?: string; from: string; outbox?: MailOutbox }): Mailer | null {
  if (options.smtpUrl) return new SmtpMailer(options.smtpUrl, options.from);
  return options.outbox ?? null;
}
