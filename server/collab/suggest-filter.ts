import * as Y from "yjs";
import { planFragmentName } from "../../app/lib/plan-schema.js";
import {
  isSuggestionAttrs,
  suggestionDeleteMark,
  suggestionInsertMark,
  type SuggestionAttrs,
} from "../../app/lib/plan-suggestions.js";

/*
 * Issue 18: a suggest-only socket (comment rights) may change the plan only by adding or removing suggestion marks of
 * its own person. The update is applied to a copy of the server's document, and every type the copy's transaction
 * changed is examined against the original: text may be inserted only inside the person's own insertion mark, text may
 * be deleted only where it carries that person's insertion mark, and formatting may change only by adding or removing
 * that person's deletion mark. No element, element attribute, other root or other mark may change. The copy is then
 * discarded; the update itself goes the usual way (store before broadcast).
 */

export type SuggestVerdict = { ok: true } | { ok: false; reason: string };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Yjs types are generic over their event type
type AnyType = Y.AbstractType<any>;
type Attributes = Record<string, unknown>;
interface DeltaOp {
  insert?: unknown;
  retain?: number;
  delete?: number;
  attributes?: Attributes;
}

function ownMark(value: unknown, author: string): value is SuggestionAttrs {
  return isSuggestionAttrs(value) && value.author === author;
}

/** The marks a suggestion may carry beside its own insertion mark (kept from where it was typed): the schema's text marks. */
const inheritedMarks = new Set(["bold", "italic", "strike", "underline", "code", "link"]);

function isInFragment(type: AnyType, fragment: Y.XmlFragment): boolean {
  let current: AnyType | null = type;
  while (current) {
    if (current === fragment) return true;
    const parent: unknown = current._item?.parent;
    current = parent instanceof Y.AbstractType ? (parent as AnyType) : null;
  }
  return false;
}

/** The same type in the original document (the copy shares every id), or null when the update created it. */
function originalOf(original: Y.Doc, type: AnyType): AnyType | null {
  const item = type._item;
  if (!item) return null;
  const state = original.store.clients.get(item.id.client);
  const last = state?.[state.length - 1];
  if (!last || last.id.clock + last.length <= item.id.clock) return null;
  const found = Y.getItem(original.store, item.id);
  return found instanceof Y.Item && found.content instanceof Y.ContentType ? found.content.type : null;
}

/** A stable text for comparing two characters' attributes (key order does not matter). */
function attributesKey(attributes: Attributes): string {
  return JSON.stringify(
    Object.keys(attributes)
      .sort()
      .map((key) => [key, attributes[key]]),
  );
}

interface Character {
  char: string;
  attributes: Attributes;
}

function characters(text: Y.XmlText): Character[] {
  const out: Character[] = [];
  for (const op of text.toDelta() as DeltaOp[]) {
    if (typeof op.insert !== "string") {
      out.push({ char: "\uFFFC", attributes: { embed: true } });
      continue;
    }
    for (const char of op.insert) out.push({ char, attributes: op.attributes ?? {} });
  }
  return out;
}

/** Whether a character is the author's own suggested insertion (and carries nothing but marks it may inherit). */
function isOwnInsertion(character: Character, author: string): boolean {
  const { attributes } = character;
  if (!ownMark(attributes[suggestionInsertMark], author)) return false;
  return Object.keys(attributes).every((key) => key === suggestionInsertMark || inheritedMarks.has(key));
}

/**
 * Compares a text before and after as sequences of characters, not through the update's own operations (y-prosemirror
 * may insert next to an equal character and fix the marks afterwards): with the author's own insertions taken out of
 * both, the same characters must remain, with the same marks, apart from the author's own deletion marks.
 */
function checkText(text: Y.XmlText, changedKeys: Set<string | null>, original: Y.Doc, author: string): string | null {
  for (const key of changedKeys) if (key !== null) return `an attribute of a text changed (${key})`;
  const before = originalOf(original, text);
  if (!(before instanceof Y.XmlText)) return "a text the update created outside a new block";
  const after = characters(text);
  for (const character of after)
    if (ownMark(character.attributes[suggestionInsertMark], author) && !isOwnInsertion(character, author))
      return "inserted text with a mark beyond its own insertion";
  const kept = (list: Character[]) => list.filter((character) => !isOwnInsertion(character, author));
  const was = kept(characters(before));
  const now = kept(after);
  if (was.length !== now.length) return "inserted or deleted text outside its own suggestions";
  for (let index = 0; index < was.length; index++) {
    const [from, to] = [was[index]!, now[index]!];
    if (from.char !== to.char) return "changed text outside its own suggestions";
    const { [suggestionDeleteMark]: fromDeletion, ...fromRest } = from.attributes;
    const { [suggestionDeleteMark]: toDeletion, ...toRest } = to.attributes;
    if (attributesKey(fromRest) !== attributesKey(toRest)) return "changed the marks of existing text";
    if (attributesKey({ d: fromDeletion ?? null }) === attributesKey({ d: toDeletion ?? null })) continue;
    if (fromDeletion !== undefined && !ownMark(fromDeletion, author)) return "changed someone else's deletion mark";
    if (toDeletion !== undefined) {
      if (!ownMark(toDeletion, author)) return "a deletion mark naming someone else";
      if (from.attributes[suggestionInsertMark] !== undefined) return "marked a suggested insertion as deleted";
      if (from.attributes.embed) return "marked an embed as deleted";
    }
  }
  return null;
}

/** Whether a text holds nothing but the author's own insertions (a new one they typed, or one they emptied). */
function isOwnText(child: unknown, author: string): boolean {
  return child instanceof Y.XmlText && characters(child).every((character) => isOwnInsertion(character, author));
}

function idKey(type: AnyType): string {
  const id = type._item?.id;
  return id ? `${id.client}:${id.clock}` : "root";
}

/**
 * A block's children changed: with new texts of the author's own insertions and removed texts that held only the
 * author's own insertions set aside, the same children must remain, in the same order.
 */
function checkChildren(
  element: Y.XmlElement,
  changedKeys: Set<string | null>,
  original: Y.Doc,
  author: string,
): string | null {
  for (const key of changedKeys) if (key !== null) return `an attribute of a block changed (${key})`;
  const before = originalOf(original, element);
  if (!(before instanceof Y.XmlElement)) return "a block the update created";
  const beforeChildren = before.toArray() as AnyType[];
  const afterChildren = element.toArray() as AnyType[];
  const beforeIds = new Set(beforeChildren.map(idKey));
  const afterIds = new Set(afterChildren.map(idKey));
  const was = beforeChildren.filter((child) => afterIds.has(idKey(child)) || !isOwnText(child, author));
  const now = afterChildren.filter((child) => {
    if (beforeIds.has(idKey(child))) return true;
    return !isOwnText(child, author);
  });
  if (was.length !== now.length) return "inserted or deleted a block or a text that is not its own suggestion";
  for (let index = 0; index < was.length; index++)
    if (idKey(was[index]!) !== idKey(now[index]!)) return "moved or replaced a block";
  return null;
}

/**
 * Whether `update` from the person `author` only adds or removes that person's own suggestion marks on `doc` (the
 * server's current document, left untouched) after `inFlight`, the person's earlier updates already accepted and not
 * yet applied to `doc` (typing sends the next keystroke before the previous one is stored).
 */
export function checkSuggestionUpdate(
  doc: Y.Doc,
  update: Uint8Array,
  author: string,
  inFlight: readonly Uint8Array[] = [],
): SuggestVerdict {
  const before = inFlight.length > 0 ? new Y.Doc({ gc: false }) : null;
  const copy = new Y.Doc({ gc: false });
  try {
    if (before) {
      Y.applyUpdate(before, Y.encodeStateAsUpdate(doc));
      for (const earlier of inFlight) Y.applyUpdate(before, earlier);
    }
    const original = before ?? doc;
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(original));
    const fragment = copy.getXmlFragment(planFragmentName);
    let problem: string | null = null;
    copy.on("afterTransaction", (transaction: Y.Transaction) => {
      if (transaction.origin !== "suggestion") return;
      for (const [type, keys] of transaction.changed) {
        if (problem) return;
        if ((type as unknown) === fragment) problem = "changed the plan's top-level blocks";
        else if (!isInFragment(type, fragment)) problem = "changed something outside the plan";
        else if (type instanceof Y.XmlText) problem = checkText(type, keys, original, author);
        else if (type instanceof Y.XmlElement) problem = checkChildren(type as Y.XmlElement, keys, original, author);
        else problem = "changed an unknown kind of content";
      }
    });
    Y.applyUpdate(copy, update, "suggestion");
    if (copy.store.pendingStructs || copy.store.pendingDs) return { ok: false, reason: "depends on missing changes" };
    if (problem) return { ok: false, reason: problem };
    return { ok: true };
  } finally {
    copy.destroy();
    before?.destroy();
  }
}
