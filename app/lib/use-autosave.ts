import { useEffect, useState, type RefObject } from "react";
import { flushSync } from "react-dom";
import type { FieldErrors } from "~/lib/forms";

/**
 * pending: a change the server has not acknowledged yet (debounce running or request in flight); retrying: the last
 * request failed and will be retried; invalid: the server has everything except fields it refused (shown below);
 * saved: the server acknowledged the latest change; idle: nothing typed yet.
 */
export type AutosaveStatus = "idle" | "pending" | "retrying" | "invalid" | "saved";

interface AutosaveResponse {
  fieldErrors?: FieldErrors;
  error?: string | null;
}

/**
 * One editing session of one form step. Each field's value is captured when it changes (so a save sent after the
 * step was left, or while the page is being hidden, never reads a form that is gone), and each change gets a
 * revision: the page says "saved" only when the server has answered for the latest revision (issue 11: it used to
 * say "All changes saved" while a debounced save was still waiting, and closing the tab lost the last field).
 */
class AutosaveSession {
  private revision = 0;
  private acked = 0;
  private readonly edits = new Map<string, { revision: number; values: string[] }>();
  private inFlight = false;
  private queued = false;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private errors: FieldErrors = {};
  private disposed = false;

  constructor(
    private readonly url: string,
    private readonly step: string,
    private readonly delayMs: number,
    private readonly onChange: (status: AutosaveStatus, errors: FieldErrors) => void,
  ) {}

  /** A field changed: capture its value now and save a moment after typing stops. */
  record(form: HTMLFormElement, name: string) {
    if (!name || name === "intent") return;
    const values = new FormData(form).getAll(name).filter((value): value is string => typeof value === "string");
    this.revision += 1;
    this.edits.set(name, { revision: this.revision, values });
    // At once, within the input event: the page must never show "saved" for a moment after a change.
    flushSync(() => this.publish());
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.save(false), this.delayMs);
  }

  /** Unsaved changes (or fields the server refused, whose text lives only in the page). */
  get hasUnsaved() {
    return this.revision > this.acked || Object.keys(this.errors).length > 0;
  }

  status(): AutosaveStatus {
    if (this.revision > this.acked) return this.failures > 0 ? "retrying" : "pending";
    if (Object.keys(this.errors).length > 0) return "invalid";
    return this.acked > 0 ? "saved" : "idle";
  }

  /** Sends at once with keepalive, so the request outlives the page (pagehide, hidden tab, leaving the step). */
  flush() {
    clearTimeout(this.timer);
    if (this.revision > this.acked) void this.save(true);
  }

  dispose() {
    this.flush();
    this.disposed = true;
  }

  private unsaved() {
    return [...this.edits].filter(([, edit]) => edit.revision > this.acked);
  }

  private async save(keepalive: boolean) {
    clearTimeout(this.timer);
    // One ordinary request at a time, so an older save never lands after a newer one; the keepalive flush does
    // not wait, because the page may be gone by the time the request in flight returns.
    if (this.inFlight && !keepalive) {
      this.queued = true;
      return;
    }
    const unsaved = this.unsaved();
    if (unsaved.length === 0) return;
    const revision = this.revision;
    const body = new FormData();
    body.set("step", this.step);
    body.set("_fields", unsaved.map(([name]) => name).join(","));
    for (const [name, edit] of unsaved) for (const value of edit.values) body.append(name, value);
    if (!keepalive) this.inFlight = true;
    try {
      const response = await fetch(this.url, {
        method: "POST",
        body,
        keepalive,
        credentials: "same-origin",
        headers: { accept: "application/json" },
      });
      const json = (response.headers.get("content-type") ?? "").includes("json")
        ? ((await response.json()) as AutosaveResponse)
        : null;
      // 200: all saved; 400 with field errors: the others were saved. Anything else (signed out, refused) is retried.
      if (!json || !(response.status === 200 || (response.status === 400 && json.fieldErrors))) {
        throw new Error(`autosave answered ${response.status}`);
      }
      this.acked = Math.max(this.acked, revision);
      this.failures = 0;
      const errors = { ...this.errors };
      for (const [name] of unsaved) delete errors[name];
      this.errors = { ...errors, ...json.fieldErrors };
    } catch {
      this.failures += 1;
      if (!this.disposed) {
        // Backoff 2, 4, 8 ... 30 s; typing again retries sooner.
        this.timer = setTimeout(() => void this.save(false), Math.min(2000 * 2 ** (this.failures - 1), 30_000));
      }
    } finally {
      if (!keepalive) this.inFlight = false;
      this.publish();
      if (this.queued && !this.disposed) {
        this.queued = false;
        void this.save(false);
      }
    }
  }

  private publish() {
    if (!this.disposed) this.onChange(this.status(), this.errors);
  }
}

/**
 * Saves a form step as the person types, to `url` (which answers JSON). Pending changes are sent with keepalive
 * when the page is hidden or closed (`visibilitychange`, `pagehide`) and when the step changes; leaving the page
 * with unsaved changes asks first (`beforeunload`).
 */
export function useAutosave(
  formRef: RefObject<HTMLFormElement | null>,
  options: { url: string; step: string; enabled: boolean; delayMs?: number },
) {
  const { url, step, enabled, delayMs = 1200 } = options;
  const [state, setState] = useState<{ status: AutosaveStatus; fieldErrors: FieldErrors; listening: boolean }>({
    status: "idle",
    fieldErrors: {},
    listening: false,
  });
  useEffect(() => {
    const form = formRef.current;
    setState({ status: "idle", fieldErrors: {}, listening: Boolean(form && enabled) });
    if (!form || !enabled) return;
    const session = new AutosaveSession(url, step, delayMs, (status, fieldErrors) =>
      setState({ status, fieldErrors, listening: true }),
    );
    const handleEdit = (event: Event) => {
      const target = event.target as HTMLInputElement | null;
      if (target?.name) session.record(form, target.name);
    };
    const handleHidden = () => {
      if (document.visibilityState === "hidden") session.flush();
    };
    const handlePageHide = () => session.flush();
    const handleBeforeUnload = (event: BeforeUnloadEvent) => {
      if (!session.hasUnsaved) return;
      event.preventDefault();
      // Older browsers show the prompt only when returnValue is set.
      event.returnValue = "";
    };
    // Text, selects, radios and checkboxes all fire "input"; "change" would only repeat it on blur.
    form.addEventListener("input", handleEdit);
    document.addEventListener("visibilitychange", handleHidden);
    window.addEventListener("pagehide", handlePageHide);
    window.addEventListener("beforeunload", handleBeforeUnload);
    return () => {
      form.removeEventListener("input", handleEdit);
      document.removeEventListener("visibilitychange", handleHidden);
      window.removeEventListener("pagehide", handlePageHide);
      window.removeEventListener("beforeunload", handleBeforeUnload);
      session.dispose();
    };
  }, [formRef, url, step, enabled, delayMs]);
  return state;
}
