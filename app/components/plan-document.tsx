import { Fragment, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useSuggestionLabel } from "~/components/plan-editor/suggestions-label";
import type { PlanLanguage } from "~/lib/plan-language";
import { colourFor } from "~/lib/person-colour";
import "~/styles/suggestions.css";
import type { PlanNode } from "~/lib/plan-schema";
import {
  isSuggestionAttrs,
  suggestionDeleteMark,
  suggestionInsertMark,
  type SuggestionAttrs,
  type SuggestionKind,
} from "~/lib/plan-suggestions";

/** Only these protocols become links; anything else (javascript:, data:, vbscript:) renders as plain text. */
export function safeHref(value: unknown): string | null {
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value);
    return ["http:", "https:", "mailto:"].includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * A passage to highlight (issue 15: the plan passage a Board condition concerns), as character offsets (code points) in
 * the document's text: every text node in document order, as the database's private.plan_text counts it.
 */
export interface PlanHighlight {
  from: number;
  to: number;
  label: string;
}

interface RenderContext {
  offset: number;
  highlights: PlanHighlight[];
}

/** How a suggestion is named in the reader's language ("Suggested insertion by Amina Diallo, …"). */
type SuggestionLabel = (kind: SuggestionKind, author: string, at: string) => string;

interface Render {
  ctx?: RenderContext;
  label: SuggestionLabel;
  endLabel: string;
}

function highlightText(text: string, ctx: RenderContext | undefined): ReactNode {
  if (!ctx) return text;
  const chars = Array.from(text);
  const start = ctx.offset;
  ctx.offset += chars.length;
  const hit = ctx.highlights.find((range) => range.from < start + chars.length && range.to > start);
  if (!hit) return text;
  const from = Math.max(0, hit.from - start);
  const to = Math.min(chars.length, hit.to - start);
  return (
    <>
      {chars.slice(0, from).join("")}
      <mark className="plan-highlight" title={hit.label}>
        {chars.slice(from, to).join("")}
      </mark>
      {chars.slice(to).join("")}
    </>
  );
}

function renderText(node: PlanNode, key: number, ctx?: RenderContext): ReactNode {
  let out: ReactNode = highlightText(node.text ?? "", ctx);
  for (const mark of node.marks ?? []) {
    if (mark.type === "bold") out = <strong>{out}</strong>;
    else if (mark.type === "italic") out = <em>{out}</em>;
    else if (mark.type === "underline") out = <u>{out}</u>;
    else if (mark.type === "strike") out = <s>{out}</s>;
    else if (mark.type === "code") out = <code>{out}</code>;
    else if (mark.type === "link") {
      const href = safeHref(mark.attrs?.href);
      if (href)
        out = (
          <a href={href} rel="noopener noreferrer nofollow">
            {out}
          </a>
        );
    }
    // Suggestion marks are drawn around the whole run of the suggestion, by renderInline.
  }
  return <Fragment key={key}>{out}</Fragment>;
}

/** The suggestion a text node belongs to, if any (a well-formed mark only). */
function suggestionOf(node: PlanNode): (SuggestionAttrs & { kind: SuggestionKind }) | null {
  if (node.type !== "text") return null;
  for (const mark of node.marks ?? []) {
    if (mark.type !== suggestionInsertMark && mark.type !== suggestionDeleteMark) continue;
    if (!isSuggestionAttrs(mark.attrs)) return null;
    return { ...mark.attrs, kind: mark.type === suggestionInsertMark ? "insert" : "delete" };
  }
  return null;
}

/**
 * A block's children, each open suggestion (issue 18) drawn once around all its runs: an insertion underlined
 * (<ins>), a deletion struck through (<del>), in its author's colour, and never by colour alone: its label (kind,
 * author's name, time) is read before it by screen readers, shown as a tooltip, and printed (print CSS).
 */
function renderInline(content: PlanNode[], render: Render): ReactNode[] {
  const out: ReactNode[] = [];
  for (let index = 0; index < content.length;) {
    const suggestion = suggestionOf(content[index]!);
    if (!suggestion) {
      out.push(renderNode(content[index]!, index, render));
      index++;
      continue;
    }
    const start = index;
    const runs: ReactNode[] = [];
    while (index < content.length) {
      const next = suggestionOf(content[index]!);
      if (!next || next.id !== suggestion.id || next.kind !== suggestion.kind) break;
      runs.push(renderText(content[index]!, index, render.ctx));
      index++;
    }
    const label = render.label(suggestion.kind, suggestion.author, suggestion.at);
    const Tag = suggestion.kind === "insert" ? "ins" : "del";
    out.push(
      <Tag
        key={start}
        className={`suggestion suggestion--${suggestion.kind}`}
        title={label}
        data-author={suggestion.author}
        style={{ "--suggestion-colour": colourFor(suggestion.author) } as React.CSSProperties}
      >
        <span className="visually-hidden suggestion__label">{label}: </span>
        {runs}
        <span className="visually-hidden"> ({render.endLabel})</span>
      </Tag>,
    );
  }
  return out;
}

function span(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value > 1 && value < 100 ? value : undefined;
}

function plainText(node: PlanNode): string {
  return node.text ?? (node.content ?? []).map(plainText).join("");
}

function tableName(table: PlanNode): string {
  const first = table.content?.[0]?.content ?? [];
  return first
    .map(plainText)
    .map((text) => text.trim())
    .filter(Boolean)
    .join(", ");
}

function renderNode(node: PlanNode, key: number, render: Render): ReactNode {
  const children = renderInline(node.content ?? [], render);
  switch (node.type) {
    case "text":
      return renderText(node, key, render.ctx);
    case "paragraph":
      return <p key={key}>{children}</p>;
    case "heading": {
      // Plan headings start one level below the page's own heading.
      const level = Math.min(6, Math.max(2, Number(node.attrs?.level ?? 2) + 1));
      const Tag = `h${level}` as "h2";
      return <Tag key={key}>{children}</Tag>;
    }
    case "bulletList":
      return <ul key={key}>{children}</ul>;
    case "orderedList":
      return <ol key={key}>{children}</ol>;
    case "listItem":
      return <li key={key}>{children}</li>;
    case "blockquote":
      return <blockquote key={key}>{children}</blockquote>;
    case "codeBlock":
      return (
        <pre key={key}>
          <code>{children}</code>
        </pre>
      );
    case "hardBreak":
      return <br key={key} />;
    case "horizontalRule":
      return <hr key={key} />;
    case "table":
      // A table wider than a phone scrolls within itself (issue 18): reachable by keyboard, named by its header row.
      return (
        <div className="table-scroll" key={key} tabIndex={0} role="group" aria-label={tableName(node) || undefined}>
          <table className="plan-table">
            <tbody>{children}</tbody>
          </table>
        </div>
      );
    case "tableRow":
      return <tr key={key}>{children}</tr>;
    case "tableHeader":
      return (
        <th key={key} scope="col" colSpan={span(node.attrs?.colspan)} rowSpan={span(node.attrs?.rowspan)}>
          {children}
        </th>
      );
    case "tableCell":
      return (
        <td key={key} colSpan={span(node.attrs?.colspan)} rowSpan={span(node.attrs?.rowspan)}>
          {children}
        </td>
      );
    default:
      // Unknown node types keep their text and nothing else.
      return <Fragment key={key}>{children}</Fragment>;
  }
}

const nobody: Record<string, string> = {};

/**
 * Renders a plan outside the editor (version view, Board packet, directory, export) from its JSON, allowing only
 * the plan schema's nodes and marks: React escapes all text, no attribute is copied through, and links keep only
 * http, https and mailto.
 */
export function PlanDocument({
  content,
  label,
  language,
  highlights,
  people = nobody,
}: {
  content: PlanNode | null | undefined;
  label?: string;
  /** The plan's own language and direction (issue 18), which may differ from the page's. */
  language?: PlanLanguage;
  highlights?: PlanHighlight[];
  /** User id → name, for the authors of open suggestions (issue 18). */
  people?: Record<string, string>;
}) {
  const { t } = useTranslation();
  const suggestionLabel = useSuggestionLabel(people);
  const nodes = content && content.type === "doc" && Array.isArray(content.content) ? content.content : [];
  const render: Render = {
    ctx: highlights?.length ? { offset: 0, highlights } : undefined,
    label: suggestionLabel,
    endLabel: t("suggestions.end"),
  };
  return (
    <div className="plan-document" aria-label={label} lang={language?.language} dir={language?.dir}>
      {nodes.map((node, index) => renderNode(node, index, render))}
    </div>
  );
}
