import type { OutboxMail } from "../server/embedded/mail-outbox";
import type { Mailer } from "../server/mailer";

export interface MailOutboxReader {
  list(limit?: number): Promise<OutboxMail[]>;
  get(id: number): Promise<OutboxMail | undefined>;
}

declare module "@remix-run/node" {
  interface AppLoadContext {
    /** The embedded stack's local mail outbox; null against a Supabase project, which sends mail itself. */
    mailOutbox: MailOutboxReader | null;
    /** Sends the app's own mail (SMTP, or the embedded outbox); null when no delivery is configured. */
    mailer: Mailer | null;
    /** The browser's address as the server saw it, for the auth service's per-address rate limit. */
    clientIp: string | undefined;
  }
}
