/**
 * The collaboration server's wire contract, shared by the server (server/collab) and the editor: the y-websocket
 * message types we add, and the close codes. y-websocket treats 4400-4499 as "do not reconnect" and every other
 * code as transient; the editor reconnects itself (with jitter) and re-authorises on 4401 and 4403.
 */
export const collabPath = "/collab";

/** y-websocket's own message types, then ours (the provider lets us register handlers for new ones). */
export const CollabMessage = {
  sync: 0,
  awareness: 1,
  auth: 2,
  queryAwareness: 3,
  /** Server → client once per connection: the access level this connection has ("edit", "comment" or "read"). */
  access: 100,
  /** Server → client: the stored document's state vector after the client's updates were durably stored. */
  stored: 101,
  /** Server → client: the plan's comment threads changed; reload them. */
  commentsChanged: 102,
} as const;

export const CollabClose = {
  /** The session ended or the access token expired: re-authorise, then reconnect. */
  sessionEnded: 4401,
  /** The person's rights to this plan changed (role revoked, plan frozen, account deactivated): re-authorise. */
  accessChanged: 4403,
  /** Too many messages per second from this connection. */
  rateLimited: 4429,
  /** The stored document could not be loaded; nothing was served or stored. Try again later. */
  loadFailed: 4500,
  /** The document already has the maximum number of connections. Try again later. */
  documentFull: 4503,
  /** A message larger than the limit (the WebSocket standard's "message too big"). */
  messageTooLarge: 1009,
  /**
   * An update the server refuses: one that does not decode or apply, and (issue 18) one from a suggest-only
   * (comment-rights) socket that does more than add or remove its own person's suggestion marks. The WebSocket
   * standard's "invalid payload data", the code refused updates always closed with.
   */
  updateRefused: 1007,
  /** The server is restarting. */
  serverRestart: 1012,
  /** The server is draining (SIGTERM behind a load balancer): reconnect now, through it, to another server. */
  goingAway: 1001,
} as const;

export type PlanAccessLevel = "read" | "comment" | "edit";

export const planDocumentPrefix = "plan.";

export function planDocumentName(planId: string): string {
  return `${planDocumentPrefix}${planId}`;
}
