import { prosemirrorJSONToYXmlFragment, yXmlFragmentToProsemirrorJSON } from "@tiptap/y-tiptap";
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y from "yjs";
import { convertPlanKpis, type CapabilityLabels, type KpiColumnLabels } from "../../app/lib/plan-kpis.js";
import { getPlanSchema, planFragmentName, type PlanNode } from "../../app/lib/plan-schema.js";
import { buildPlanTemplate, kpiColumnLabels } from "./plan-template.js";
import type { CollabLogger } from "./logger.js";
import type { PlanStore, StoredPlan } from "./plan-store.js";
import { isEmptyUpdate } from "./sync-protocol.js";

/** Stored updates applied per Yjs transaction when a plan loads (issue 14). */
const historyUpdatesPerTransaction = 500;
/** How long after loading a long stored history its compaction waits (the first reader's sync goes first). */
const loadCompactionDelayMs = 1000;

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
  /**
   * Every stored update of the plan with an id up to this one is in the document (what compaction may fold and what
   * the cross-server relay reads after). Ids committed by other servers may interleave with this server's own.
   */
  throughUpdateId: bigint;
  /** Ids above throughUpdateId that this server stored and applied itself (the relay need not read them back). */
  appliedAhead: Set<bigint>;
  updatesSinceSnapshot: number;
  contentDirty: boolean;
  contentTimer?: NodeJS.Timeout;
  idleTimer?: NodeJS.Timeout;
  /** The compaction of a long stored history, due a moment after the load. */
  compactTimer?: NodeJS.Timeout;
  /** Set once the plan leaves `loaded`; a later release of this object must never unload the plan's next load. */
  unloaded: boolean;
  /** A background compaction is queued or running. */
  compacting: boolean;
  /** Serialises this document's background writes (content, compaction). */
  chain: Promise<void>;
  /** Updates stored and not yet applied: applied together, broadcast as one message (see `applyOwn`). */
  stored: StoredUpdate[];
  /** What converting free-text KPI tables needs (issue 16): the capabilities' labels, the plan's column headings. */
  kpis: { capabilities: CapabilityLabels[]; labels: KpiColumnLabels };
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
  /** Called once a plan is loaded (the other servers are asked for their people's presence). */
  onLoaded?: (plan: LoadedPlan) => void;
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

  /**
   * Applies stored updates to a document being loaded, in Yjs transactions of a few hundred updates: one per update
   * (its clean-up, merging of structs, garbage collection) took three quarters of the first open of a plan with
   * 100,000 uncompacted updates, and one for the whole history keeps every struct unmerged to the end (issue 14: a
   * third more CPU, mostly garbage collection).
   */
  private applyHistory(doc: Y.Doc, planId: string, updates: Uint8Array[]): void {
    for (let start = 0; start < updates.length; start += historyUpdatesPerTransaction) {
      doc.transact(() => {
        for (const update of updates.slice(start, start + historyUpdatesPerTransaction)) {
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

  private async load(planId: string, attempt = 1): Promise<LoadedPlan> {
    const doc = new Y.Doc({ gc: true });
    let stored: StoredPlan;
    try {
      // The history is applied as it is read: each chunk while the next one is read (see `readUpdateChunks`).
      stored = await this.options.store.load(planId, {
        snapshot: (state) => Y.applyUpdate(doc, state, "server"),
        updates: (chunk) => this.applyHistory(doc, planId, chunk),
      });
    } catch (error) {
      doc.destroy();
      throw error;
    }
    const plan: LoadedPlan = {
      planId,
      applicationId: stored.applicationId,
      doc,
      awareness: new awarenessProtocol.Awareness(doc),
      connections: new Set(),
      pendingWrites: 0,
      throughUpdateId: stored.throughUpdateId,
      appliedAhead: new Set(),
      updatesSinceSnapshot: stored.updateCount,
      contentDirty: false,
      unloaded: false,
      compacting: false,
      chain: Promise.resolve(),
      stored: [],
      kpis: { capabilities: stored.capabilityLabels, labels: kpiColumnLabels(stored.language) },
    };
    plan.awareness.setLocalState(null);
    if (!stored.snapshot && stored.updateCount === 0) {
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
          buildPlanTemplate(stored.centreName, stored.capabilities, stored.language),
          fragment,
        );
      }
      const update = Y.encodeStateAsUpdate(template);
      template.destroy();
      // Written once across servers: when another server's first open stored its template first, load that instead.
      const id = await this.options.store.appendFirst(planId, update);
      if (id === undefined) {
        doc.destroy();
        return this.load(planId);
      }
      // The plan's first row: everything up to it is in the document now, so the KPI conversion below is not stale.
      // (It used to be, always: the first open loaded twice, and the discarded load's debounced write put its older
      // content back into action_plans.content after a restore made right after the open.)
      plan.throughUpdateId = id;
      Y.applyUpdate(doc, update, "server");
      plan.updatesSinceSnapshot = 1;
      plan.contentDirty = true;
      this.scheduleContent(plan);
    } else if (plan.updatesSinceSnapshot >= this.options.compactAfterUpdates) {
      // A moment after the load, not before the first reader's sync: encoding the whole document for the snapshot
      // held the event loop just when the person who opened the plan waited for it (issue 14's first open).
      plan.compacting = true;
      plan.compactTimer = setTimeout(() => {
        plan.compactTimer = undefined;
        // `background` records a failure itself (its chain catches `run`); nobody here waits for it.
        void this.background(plan, () => this.compact(plan))
          .finally(() => (plan.compacting = false))
          .catch(() => undefined);
      }, loadCompactionDelayMs);
      plan.compactTimer.unref();
    }
    // Issue 16: free-text KPI tables become typed once, before anyone syncs. Another server storing meanwhile makes
    // this load stale: load again (a few times at most; the conversion then waits for the next load).
    if (!stored.kpisConverted && !(await this.convertKpis(plan)) && attempt < 3) {
      this.discard(plan);
      return this.load(planId, attempt + 1);
    }
    this.options.onLoaded?.(plan);
    return plan;
  }

  /** Stores the update, then applies it: nobody receives an update that is not yet durable. */
  async submit(plan: LoadedPlan, update: Uint8Array, origin: UpdateOrigin): Promise<void> {
    plan.pendingWrites++;
    try {
      const id = await this.options.store.append(plan.planId, update);
      await new Promise<void>((resolve, reject) => {
        // The store commits a batch and resolves its updates one after another in the same tick: the first one
        // queues the batch's application behind the others' continuations, so they are applied and broadcast together.
        if (plan.stored.length === 0) queueMicrotask(() => this.applyOwn(plan));
        plan.stored.push({ update, origin, id, done: (error) => (error === undefined ? resolve() : reject(error)) });
      });
    } finally {
      plan.pendingWrites--;
    }
  }

  /**
   * Applies the stored updates that wait (a group commit's worth), in the order they were stored, each on its own so
   * one that cannot be applied fails alone; then hands the applied ones to `onApplied` as one merged update (one
   * message per socket instead of one per update).
   */
  private applyOwn(plan: LoadedPlan): void {
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
    // Not yet throughUpdateId: another server may have stored a lower id this server has not applied yet.
    for (const item of batch) if (item.id > plan.throughUpdateId) plan.appliedAhead.add(item.id);
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

  /** Plans loaded now (not those being loaded or unloaded). */
  async loadedPlans(): Promise<LoadedPlan[]> {
    const plans = await Promise.all([...this.loaded.values()].map((entry) => entry.catch(() => undefined)));
    return plans.filter((plan): plan is LoadedPlan => plan !== undefined && !plan.unloaded);
  }

  /**
   * Applies what other servers stored (cluster-relay.ts read it after throughUpdateId) and broadcasts it to this
   * server's sockets: it is already durable. `throughUpdateId` becomes the highest id read.
   */
  /**
   * Reads and applies what was stored after throughUpdateId: other servers' rows, or this server's own whose
   * notification has not been handled yet (before an unload's compaction, so that it folds everything stored).
   */
  async readStoredSince(plan: LoadedPlan): Promise<void> {
    const after = plan.throughUpdateId;
    const since = await this.options.store.readSince(plan.planId, after);
    const fresh = since.updates.filter((row) => !plan.appliedAhead.has(row.id));
    let through = since.snapshot?.throughUpdateId ?? after;
    const last = since.updates.at(-1)?.id;
    if (last !== undefined && last > through) through = last;
    this.applyStored(
      plan,
      fresh.map((row) => row.update),
      through,
      since.snapshot?.state,
    );
  }

  applyStored(plan: LoadedPlan, updates: Uint8Array[], throughUpdateId: bigint, snapshot?: Uint8Array): void {
    // An unloading plan still takes rows in (its compaction must fold them); a destroyed one is gone.
    if (plan.doc.isDestroyed) return;
    const before = snapshot ? Y.encodeStateVector(plan.doc) : undefined;
    if (snapshot) updates = [snapshot, ...updates];
    plan.doc.transact(() => {
      for (const update of updates) {
        try {
          Y.applyUpdate(plan.doc, update, "server");
        } catch (error) {
          // As at load: an update that cannot be applied failed live on its own server too (its sender got 1007).
          this.options.logger.warn(
            { err: error, planId: plan.planId },
            `skipped a stored update of ${plan.planId} that cannot be applied: ${(error as Error).message}`,
          );
        }
      }
    }, "server");
    if (throughUpdateId > plan.throughUpdateId) plan.throughUpdateId = throughUpdateId;
    for (const id of plan.appliedAhead) if (id <= plan.throughUpdateId) plan.appliedAhead.delete(id);
    plan.updatesSinceSnapshot += updates.length;
    // The rows as stored (an update waiting for one not here yet waits in every client too); after a snapshot (a
    // compaction folded rows this server lacked), only what the document gained.
    let relayed: Uint8Array;
    try {
      relayed = before
        ? Y.encodeStateAsUpdate(plan.doc, before)
        : updates.length === 1
          ? updates[0]!
          : Y.mergeUpdates(updates);
    } catch {
      relayed = Y.encodeStateAsUpdate(plan.doc);
    }
    if (updates.length === 0 || isEmptyUpdate(relayed)) return;
    this.options.onApplied(plan, relayed, new Set());
    plan.contentDirty = true;
    this.scheduleContent(plan);
  }

  /** Moves throughUpdateId on when the ids after it were all stored (and applied) by this server. */
  advanceOwn(plan: LoadedPlan, previousId: bigint, lastId: bigint, count: number): boolean {
    if (plan.throughUpdateId !== previousId) return false;
    let own = 0;
    for (const id of plan.appliedAhead) if (id > previousId && id <= lastId) own++;
    if (own !== count) return false;
    plan.throughUpdateId = lastId;
    for (const id of plan.appliedAhead) if (id <= lastId) plan.appliedAhead.delete(id);
    return true;
  }

  /** The update that turns the document's content into `content`, changing only what differs. */
  private updateTo(plan: LoadedPlan, content: PlanNode): Uint8Array {
    const scratch = new Y.Doc();
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(plan.doc));
    const before = Y.encodeStateVector(scratch);
    // updateYFragment inside prosemirrorJSONToYXmlFragment changes only what differs.
    prosemirrorJSONToYXmlFragment(getPlanSchema(), content, scratch.getXmlFragment(planFragmentName));
    const update = Y.encodeStateAsUpdate(scratch, before);
    scratch.destroy();
    return update;
  }

  /** Replaces the document's content with `content` as one new change (restore a version: its KPIs typed too). */
  async replaceContent(plan: LoadedPlan, content: PlanNode): Promise<void> {
    const typed = convertPlanKpis(content, plan.kpis.capabilities, plan.kpis.labels).content;
    await this.submit(plan, this.updateTo(plan, typed), "server");
  }

  /**
   * Converts the plan's free-text KPI tables (issue 16) and records that the conversion ran, in one transaction with
   * the converting update (durable before anyone sees it). False when the load is stale (updates stored meanwhile).
   */
  private async convertKpis(plan: LoadedPlan): Promise<boolean> {
    const conversion = convertPlanKpis(this.contentOf(plan), plan.kpis.capabilities, plan.kpis.labels);
    const update = conversion.changed ? this.updateTo(plan, conversion.content) : null;
    const recorded = await this.options.store.recordKpiConversion(plan.planId, update, plan.throughUpdateId, {
      tables: conversion.tables,
      flagged: conversion.flagged,
    });
    if (recorded.outcome === "stale") return false;
    if (recorded.outcome === "converted" && update && recorded.updateId !== null) {
      plan.appliedAhead.add(recorded.updateId);
      Y.applyUpdate(plan.doc, update, "server");
      plan.updatesSinceSnapshot++;
      plan.contentDirty = true;
      this.scheduleContent(plan);
      this.options.logger.info(
        { planId: plan.planId, tables: conversion.tables, flagged: conversion.flagged.length },
        `converted the KPI tables of ${plan.planId}`,
      );
    }
    return true;
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
      // In a gap between edits: the JSON conversion blocks the event loop, so never while an edit waits for its commit.
      void this.background(plan, async () => {
        await this.waitForWrites(plan, this.options.contentDebounceMs);
        await this.persistContent(plan);
      });
    }, this.options.contentDebounceMs);
    plan.contentTimer.unref();
  }

  /** Forgets a load that is replaced by a fresh one: none of its timers may write its (older) content later. */
  private discard(plan: LoadedPlan): void {
    plan.unloaded = true;
    clearTimeout(plan.contentTimer);
    clearTimeout(plan.idleTimer);
    clearTimeout(plan.compactTimer);
    plan.contentDirty = false;
    plan.awareness.destroy();
    plan.doc.destroy();
  }

  private async persistContent(plan: LoadedPlan): Promise<void> {
    // A destroyed document belongs to a load that was discarded or unloaded: what it holds may be out of date.
    if (!plan.contentDirty || plan.doc.isDestroyed) return;
    plan.contentDirty = false;
    try {
      await this.options.store.writeContent(plan.planId, this.contentOf(plan));
    } catch (error) {
      plan.contentDirty = true;
      throw error;
    }
  }

  private async compact(plan: LoadedPlan): Promise<void> {
    // Unloading (and SIGTERM): first take in whatever is stored and not yet relayed here, so the snapshot folds it all.
    if (plan.unloaded) await this.readStoredSince(plan).catch(() => undefined);
    if (plan.updatesSinceSnapshot === 0) return;
    // Only up to throughUpdateId: everything up to it is in the document, and a row another server stored above it
    // (not applied here yet) stays (issue 19: "after both servers unloaded and compacted the plan, an edit was gone").
    const through = plan.throughUpdateId;
    const counted = plan.updatesSinceSnapshot;
    // false: another server is compacting this plan right now; its snapshot does as well.
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

  /** Waits until no update of the plan is being stored (at most `limitMs`, when given). */
  private async waitForWrites(plan: LoadedPlan, limitMs = Infinity): Promise<void> {
    const deadline = performance.now() + limitMs;
    while (plan.pendingWrites > 0 && performance.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 2));
  }

  private async unload(plan: LoadedPlan): Promise<void> {
    plan.idleTimer = undefined;
    // `loaded` may already hold the plan's next load; only this object's own entry may be removed.
    if (plan.connections.size > 0 || plan.unloaded) return;
    plan.unloaded = true;
    this.loaded.delete(plan.planId);
    const done = (async () => {
      clearTimeout(plan.contentTimer);
      clearTimeout(plan.compactTimer); // the compaction below folds everything
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
