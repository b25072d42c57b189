import { IndexeddbPersistence } from "y-indexeddb";
import type * as Y from "yjs";
import { deviceCopyName } from "~/lib/device-copies";

export function openDeviceCopy(userId: string, planId: string, doc: Y.Doc): IndexeddbPersistence | null {
  if (typeof indexedDB === "undefined") return null;
  return new IndexeddbPersistence(deviceCopyName(userId, planId), doc);
}

/** A local change not yet acknowledged by the server: the client's clock after it (a burst of typing is one). */
export interface PendingChange {
  client: number;
  clock: number;
  at: number;
}

/** Consecutive local edits closer than this count as one change in "N changes kept on this device". */
export const changeBurstMs = 1500;

const pendingKey = "pending-changes";

export async function readPending(persistence: IndexeddbPersistence): Promise<PendingChange[]> {
  try {
    const value: unknown = await persistence.get(pendingKey);
    const parsed: unknown = typeof value === "string" ? JSON.parse(value) : [];
    return Array.isArray(parsed)
      ? parsed.filter(
          (entry): entry is PendingChange =>
            typeof entry === "object" &&
            entry !== null &&
            Number.isInteger((entry as PendingChange).client) &&
            Number.isInteger((entry as PendingChange).clock),
        )
      : [];
  } catch {
    return [];
  }
}

export function writePending(persistence: IndexeddbPersistence, pending: PendingChange[]): void {
  persistence.set(pendingKey, JSON.stringify(pending)).catch(() => undefined);
}
