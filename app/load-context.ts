import type { OutboxMail } from "../server/embedded/mail-outbox";
import type { Logger } from "../server/logger";
import type { Mailer } from "../server/mailer";

import type { PlanNode } from "./lib/plan-schema";

/** What routes may ask of the collaboration server running in the same process. */
export interface CollabControl {
  flushContent(planId: string): Promise<void>;
  replaceContent(planId: string, content: PlanNode): Promise<void>;
  notifyCommentsChanged(planId: string): Promise<void>;
  /** Accepts or rejects suggestions in the live plan (issue 18); how many it found. */
  decideSuggestions(planId: string, ids: readonly string[], decision: "accept" | "reject"): Promise<number>;
}

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
    collab: CollabControl;
    /** The request came from this machine itself, not through any proxy (server/client-address.ts). */
    clientIsLocal: boolean;
    /** This response's Content-Security-Policy nonce (server/security-headers.ts); unset in development. */
    cspNonce: string | undefined;
    /** This request's id: the caller's X-Request-Id when it is a short safe token, else a new one (server/logger.ts). */
    requestId: string;
    /** The process's logger as a child carrying this request's id (`reqId`); log through it, never `console`. */
    logger: Logger;
  }
}
