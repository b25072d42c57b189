import type { AppLoadContext } from "@remix-run/node";
import { requireRoles } from "./session.server";

/**
 * The outbox shows every sign-in link and recovery code, so /dev/mail exists in embedded mode only and answers a
 * browser on this machine, or a signed-in coordinator from anywhere else (issue 11). Anyone else is sent to sign in,
 * and gets 403 if they are not a coordinator.
 */
export async function requireMailViewer(request: Request, context: AppLoadContext) {
  if (!context.mailOutbox) throw new Response("Not found", { status: 404 });
  if (!context.clientIsLocal) await requireRoles(request, context, ["coordinator"]);
  return context.mailOutbox;
}
