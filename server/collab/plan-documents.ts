import { prosemirrorJSONToYXmlFragment, yXmlFragmentToProsemirrorJSON } from "@tiptap/y-tiptap";
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import { getPlanSchema, planFragmentName, type PlanNode } from "../../app/lib/plan-schema.js";
import { buildPlanTemplate } from "./plan-template.js";
import type { CollabLogger } from "./logger.js";
import type { PlanStore } from "./plan-store.js";

/** Who caused a change to a document: a connection (its broadcast skips it) or the server itself. */
export type UpdateOrigin = object | "server";

export interface LoadedPlan {
  planId: string;
  applicationId: string;
  doc: Y.Doc;
  awareness: awarenessProtocol.Awareness;
  connections: Set<object>;
  /** Updates handed to the store and not yet applied; the document is never unloaded while this is above 0. */
  pendingWrites: number;
  throughUpdateId: bigint;
  updatesSinceSnapshot: number;
  contentDirty: boolean;
  contentTimer?: NodeJS.Timeout;
  idleTimer?: NodeJS.Timeout;
  /** Set once the plan leaves `loaded`; a later release of this object must never unload the plan's next load. */
  unloaded: boolean;
  /** A background compaction is queued or running. */
  compacting: boolean;
  /** Serialises this document's background writes (content, compaction). */
  chain: Promise<void>;
  /** Updates stored and not yet applied: applied together, broadcast as one message (see `applyStored`). */
  stored: StoredUpdate[];
  /**
   * For each update handed to the store and not yet applied, `throughUpdateId` when it was handed over: its id will be
   * above that (see PlanStore.append), so compaction may fold only up to the lowest of these.
   */
  writing: Set<{ floor: bigint }>;
}

interface StoredUpdate {
  update: Uint8Array;
  origin: UpdateOrigin;
  id: bigint;
  done: (error?: Error) => void;
}

export interface PlanDocumentsOptions {
  store: PlanStore;
  logger: CollabLogger;
  idleUnloadMs: number;
  compactAfterUpdates: number;
  contentDebounceMs: number;
  /** Called after updates are stored and applied: broadcast them, acknowledge their senders. */
  onApplied: (plan: LoadedPlan, update: Uint8Array, origins: Set<UpdateOrigin>) => void;
}

/**
 * The document lifecycle: load (awaited before anyone syncs; a failed load is never cached or stored), apply
 * updates only after they are stored, write the JSON content and compact in the background, unload when idle and
 * never while a write is pending; a connection arriving during an unload waits for it and reloads fresh.
 */
export class PlanDocuments {
  private readonly loaded = new Map<string, Promise<LoadedPlan>>();
  private readonly unloading = new Map<string, Promise<void>>();

  constructor(private readonly options: PlanDocumentsOptions) {}

  /** Documents in memory, counting those still being stored and compacted on their way out. */
  get openCount(): number {
    return this.loaded.size + this.unloading.size;
  }

  /** The loaded plan, if it is loaded (no load is started). */
  async peek(planId: string): Promise<LoadedPlan | undefined> {
    const entry = this.loaded.get(planId);
    return entry ? entry.catch(() => undefined) : undefined;
  }

  async acquire(planId: string, holder: object): Promise<LoadedPlan> {
    for (;;) {
      const unloading = this.unloading.get(planId);
      if (unloading) await unloading;
      let entry = this.loaded.get(planId);
      if (!entry) {
        entry = this.load(planId);
        this.loaded.set(planId, entry);
        // A failed load is forgotten at once, so the next attempt reads the database again.
        entry.catch(() => this.loaded.get(planId) === entry && this.loaded.delete(planId));
      }
      const plan = await entry;
      if (this.loaded.get(planId) !== entry) continue; // unloaded meanwhile: load again
      clearTimeout(plan.idleTimer);
      plan.idleTimer = undefined;
      plan.connections.add(holder);
      return plan;
    }
  }

  release(plan: LoadedPlan, holder: object): void {
    plan.connections.delete(holder);
    // A socket closed for a rights change leaves plan.connections at once but is released only when it has finished
    // closing, possibly after this plan was unloaded and loaded again: that late release must not unload the new one.
    if (plan.unloaded) return;
    if (plan.connections.size === 0 && !plan.idleTimer) {
      plan.idleTimer = setTimeout(() => void this.unload(plan), this.options.idleUnloadMs);
      plan.idleTimer.unref();
    }
  }

  private async load(planId: string): Promise<LoadedPlan> {
    const stored = await this.options.store.load(planId);
    const doc = new Y.Doc({ gc: true });
    // One Yjs transaction for the whole history: a transaction per update (its clean-up, merging of structs,
    // garbage collection) took three quarters of the first open of a plan with 100,000 uncompacted updates.
    doc.transact(() => {
      if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot, "server");
      for (const update of stored.updates) {
        // Yjs decodes some malformed updates that it then fails to apply, and updates are stored before they are
        // applied: such an update failed live, and is skipped the same way here, so that one tampered message can
        // never make the document unloadable (every later connection refused with 503).
        try {
          Y.applyUpdate(doc, update, "server");
        } catch (error) {
          this.options.logger.warn(
            { err: error, planId },
            `skipped a stored update of ${planId} that cannot be applied: ${(error as Error).message}`,
          );
        }
      }
    }, "server");
    const plan: LoadedPlan = {
      planId,
      applicationId: stored.applicationId,
      doc,
      awareness: new awarenessProtocol.Awareness(doc),
      connections: new Set(),
      pendingWrites: 0,
      throughUpdateId: stored.throughUpdateId,
      updatesSinceSnapshot: stored.updates.length,
      contentDirty: false,
      unloaded: false,
      compacting: false,
      chain: Promise.resolve(),
      stored: [],
      writing: new Set(),
    };
    plan.awareness.setLocalState(null);
    if (!stored.snapshot && stored.updates.length === 0) {
      // First open: the template (or the JSON a plan already had, e.g. imported) is written into the document and
      // stored before anyone sees the document.
      const template = new Y.Doc();
      const fragment = template.getXmlFragment(planFragmentName);
      try {
        if (!stored.content.content?.length) throw new Error("empty");
        prosemirrorJSONToYXmlFragment(getPlanSchema(), stored.content, fragment);
      } catch {
        fragment.delete(0, fragment.length);
        prosemirrorJSONToYXmlFragment(
          getPlanSchema(),
          buildPlanTemplate(stored.centreName, stored.capabilities),
          fragment,
        );
      }
      const update = Y.encodeStateAsUpdate(template);
      template.destroy();
      plan.throughUpdateId = await this.options.store.append(planId, update);
      Y.applyUpdate(doc, update, "server");
      plan.updatesSinceSnapshot = 1;
      plan.contentDirty = true;
      this.scheduleContent(plan);
    } else if (plan.updatesSinceSnapshot >= this.options.compactAfterUpdates) {
      // `background` records a failure itself (its chain catches `run`); nobody here waits for it.
      void this.background(plan, () => this.compact(plan));
    }
    return plan;
  }

  /** Stores the update, then applies it: nobody receives an update that is not yet durable. */
  async submit(plan: LoadedPlan, update: Uint8Array, origin: UpdateOrigin): Promise<void> {
    plan.pendingWrites++;
    const writing = { floor: plan.throughUpdateId };
    plan.writing.add(writing);
    try {
      const id = await this.options.store.append(plan.planId, update);
      await new Promise<void>((resolve, reject) => {
        // The store commits a batch and resolves its updates one after another in the same tick: the first one
        // queues the batch's application behind the others' continuations, so they are applied and broadcast together.
        if (plan.stored.length === 0) queueMicrotask(() => this.applyStored(plan));
        plan.stored.push({ update, origin, id, done: (error) => (error === undefined ? resolve() : reject(error)) });
      });
    } finally {
      plan.writing.delete(writing);
      plan.pendingWrites--;
    }
  }

  /**
   * Applies the stored updates that wait (a group commit's worth), in the order they were stored, each on its own so
   * one that cannot be applied fails alone; then hands the applied ones to `onApplied` as one merged update (one
   * message per socket instead of one per update).
   */
  private applyStored(plan: LoadedPlan): void {
    const batch = plan.stored;
    plan.stored = [];
    const applied: StoredUpdate[] = [];
    const failed: { item: StoredUpdate; error: Error }[] = [];
    plan.doc.transact(() => {
      for (const item of batch) {
        try {
          Y.applyUpdate(plan.doc, item.update, item.origin);
          applied.push(item);
        } catch (error) {
          failed.push({ item, error: error instanceof Error ? error : new Error(String(error)) });
        }
      }
    }, "server");
    for (const item of applied) if (item.id > plan.throughUpdateId) plan.throughUpdateId = item.id;
    plan.updatesSinceSnapshot += batch.length;
    if (applied.length > 0) {
      try {
        const origins = new Set(applied.map((item) => item.origin));
        const merged = applied.length === 1 ? applied[0]!.update : Y.mergeUpdates(applied.map((item) => item.update));
        this.options.onApplied(plan, merged, origins);
      } catch (error) {
        // Never thrown out of this microtask (that would end the process); each update goes out on its own instead.
        this.options.logger.error(
          { err: error, planId: plan.planId },
          `broadcasting ${applied.length} merged updates of ${plan.planId} failed: ${String(error)}`,
        );
        for (const item of applied) {
          try {
            this.options.onApplied(plan, item.update, new Set([item.origin]));
          } catch (single) {
            this.options.logger.error({ err: single, planId: plan.planId }, `broadcast failed: ${String(single)}`);
          }
        }
      } finally {
        plan.contentDirty = true;
        this.scheduleContent(plan);
        // One compaction at a time: the counter only falls when it finishes (bench:collab saw 24 snapshot writes in a
        // 6,400-update burst without this guard).
        if (!plan.compacting && plan.updatesSinceSnapshot >= this.options.compactAfterUpdates * 10) {
          plan.compacting = true;
          void this.background(plan, () => this.compact(plan))
            .finally(() => (plan.compacting = false))
            .catch(() => undefined);
        }
        for (const item of applied) item.done();
      }
    }
    for (const { item, error } of failed) item.done(error);
  }

  /** Replaces the document's content with `content` as one new change (restore a version). */
  async replaceContent(plan: LoadedPlan, content: PlanNode): Promise<void> {
    const scratch = new Y.Doc();
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(plan.doc));
    const before = Y.encodeStateVector(scratch);
    // updateYFragment inside prosemirrorJSONToYXmlFragment changes only what differs.
    prosemirrorJSONToYXmlFragment(getPlanSchema(), content, scratch.getXmlFragment(planFragmentName));
    const update = Y.encodeStateAsUpdate(scratch, before);
    scratch.destroy();
    await this.submit(plan, update, "server");
  }

  contentOf(plan: LoadedPlan): PlanNode {
    return yXmlFragmentToProsemirrorJSON(plan.doc.getXmlFragment(planFragmentName)) as PlanNode;
  }

  /** Writes the JSON content now (versions and Board packets read it). */
  async writeContent(plan: LoadedPlan): Promise<void> {
    await this.waitForWrites(plan);
    await this.background(plan, () => this.persistContent(plan));
  }

  private scheduleContent(plan: LoadedPlan): void {
    if (plan.contentTimer) return;
    plan.contentTimer = setTimeout(() => {
      plan.contentTimer = undefined;
      void this.background(plan, () => this.persistContent(plan));
    }, this.options.contentDebounceMs);
    plan.contentTimer.unref();
  }

  private async persistContent(plan: LoadedPlan): Promise<void> {
    if (!plan.contentDirty) return;
    plan.contentDirty = false;
    try {
      await this.options.store.writeContent(plan.planId, this.contentOf(plan));
    } catch (error) {
      plan.contentDirty = true;
      throw error;
    }
  }

  private async compact(plan: LoadedPlan): Promise<void> {
    if (plan.updatesSinceSnapshot === 0) return;
    // Writes of a plan commit concurrently, so an update still being written may get an id below one already
    // applied: the snapshot folds only ids that every such update is known to be above.
    let through = plan.throughUpdateId;
    for (const { floor } of plan.writing) if (floor < through) through = floor;
    const counted = plan.updatesSinceSnapshot;
    await this.options.store.compact(plan.planId, Y.encodeStateAsUpdate(plan.doc), through);
    plan.updatesSinceSnapshot = Math.max(0, plan.updatesSinceSnapshot - counted);
  }

  private background(plan: LoadedPlan, task: () => Promise<void>): Promise<void> {
    const run = plan.chain.then(task);
    plan.chain = run.catch((error: unknown) =>
      this.options.logger.error(
        { err: error, planId: plan.planId },
        `background write for ${plan.planId} failed: ${String(error)}`,
      ),
    );
    return run;
  }

  private async waitForWrites(plan: LoadedPlan): Promise<void> {
    while (plan.pendingWrites > 0) await new Promise((resolve) => setTimeout(resolve, 2));
  }

  private async unload(plan: LoadedPlan): Promise<void> {
    plan.idleTimer = undefined;
    // `loaded` may already hold the plan's next load; only this object's own entry may be removed.
    if (plan.connections.size > 0 || plan.unloaded) return;
    plan.unloaded = true;
    this.loaded.delete(plan.planId);
    const done = (async () => {
      clearTimeout(plan.contentTimer);
      await this.waitForWrites(plan);
      await this.background(plan, () => this.persistContent(plan)).catch(() => undefined);
      await this.background(plan, () => this.compact(plan)).catch(() => undefined);
      await plan.chain;
      plan.awareness.destroy();
      plan.doc.destroy();
    })();
    this.unloading.set(plan.planId, done);
    await done;
    this.unloading.delete(plan.planId);
  }

  /** SIGTERM: stores and compacts every document, then forgets them. */
  async flushAll(): Promise<void> {
    const plans = await Promise.all([...this.loaded.values()].map((entry) => entry.catch(() => undefined)));
    await Promise.all(
      plans.map(async (plan) => {
        if (!plan) return;
        plan.connections.clear();
        clearTimeout(plan.idleTimer);
        await this.unload(plan);
      }),
    );
    await Promise.all([...this.unloading.values()]);
  }
}
