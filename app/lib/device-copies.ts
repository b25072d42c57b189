import { useEffect } from "react";

/**
 * The device copy of a plan (issue 18): the Yjs document kept in IndexedDB by y-indexeddb, so edits made offline
 * survive closing the tab and merge when the person returns. One database per person and plan; signing out (or
 * another person signing in on the device) deletes them, and so does the server refusing access.
 */
const prefix = "an-plan:";

export function deviceCopyName(userId: string, planId: string): string {
  return `${prefix}${userId}:${planId}`;
}

export function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    // "blocked": a tab still has it open; the deletion completes once it closes, nothing more to wait for here.
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
}

/** Deletes every plan copy on this device except those of `keepUserId` (all of them when signed out). */
export async function clearDeviceCopies(keepUserId: string | null): Promise<void> {
  if (typeof indexedDB === "undefined" || typeof indexedDB.databases !== "function") return;
  const keep = keepUserId ? `${prefix}${keepUserId}:` : null;
  const names = (await indexedDB.databases())
    .map((database) => database.name ?? "")
    .filter((name) => name.startsWith(prefix) && (!keep || !name.startsWith(keep)));
  await Promise.all(names.map(deleteDatabase));
}

/** Rendered on every page: whoever is signed in (or nobody) keeps only their own device copies. */
export function useDeviceCopyOwner(userId: string | null | undefined): void {
  useEffect(() => {
    clearDeviceCopies(userId ?? null).catch((error: unknown) => console.warn("clearing device copies failed", error));
  }, [userId]);
}
