import type express from "express";
import type { MailOutbox } from "./embedded/mail-outbox.js";
import type { Mailer } from "./mailer.js";

export type ServiceState = "up" | "down";

export interface StackHealth {
  database: ServiceState;
  rest: ServiceState;
  auth: ServiceState;
}

/** What the HTTP server needs from either way of running: the embedded stack or a Supabase project. */
export interface Stack {
  mode: "embedded" | "project";
  supabaseUrl: string;
  anonKey: string;
  serviceRoleKey: string;
  jwtSecret: string;
  databaseUrl: string;
  /** Embedded only: the services the gateway mounts under /auth/v1 and /rest/v1, and the local mail outbox. */
  embedded?: { authRouter: express.Router; restUrl: string; outbox: MailOutbox };
  /** Where the app's own mail goes (notifications, invitations); null when no delivery is configured. */
  mailer: Mailer | null;
  health(): Promise<StackHealth>;
  stop(): Promise<void>;
}
