import { Fragment, type ReactNode } from "react";
import type { PlanLanguage } from "~/lib/plan-language";
import { colourFor } from "~/lib/person-colour";
import "~/styles/suggestions.css";
import type { PlanNode } from "~/lib/plan-schema";
import { isSuggestionAttrs, suggestionDeleteMark, suggestionInsertMark } from "~/lib/plan-suggestions";

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
    else if (mark.type === suggestionInsertMark || mark.type === suggestionDeleteMark) {
      // Issue 18: an open suggestion stays visibly a suggestion in versions, compare and the printable copy.
      const author = isSuggestionAttrs(mark.attrs) ? mark.attrs.author : "";
      const Tag = mark.type === suggestionInsertMark ? "ins" : "del";
      out = (
        <Tag
          className={`suggestion suggestion--${Tag === "ins" ? "insert" : "delete"}`}
          style={{ "--suggestion-colour": colourFor(author) } as React.CSSProperties}
        >
          {out}
        </Tag>
      );
    } else if (mark.type === "link") {
      const href = safeHref(mark.attrs?.href);
      if (href)
        out = (
          <a href={href} rel="noopener noreferrer nofollow">
            {out}
          </a>
        );
    }
  }
  return <Fragment key={key}>{out}</Fragment>;
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

function renderNode(node: PlanNode, key: number, ctx?: RenderContext): ReactNode {
  const children = (node.content ?? []).map((child, index) => renderNode(child, index, ctx));
  switch (node.type) {
    case "text":
      return renderText(node, key, ctx);
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
}: {
  content: PlanNode | null | undefined;
  label?: string;
  /** The plan's own language and direction (issue 18), which may differ from the page's. */
  language?: PlanLanguage;
  highlights?: PlanHighlight[];
}) {
  const nodes = content && content.type === "doc" && Array.isArray(content.content) ? content.content : [];
  const ctx = highlights?.length ? { offset: 0, highlights } : undefined;
  return (
    <div className="plan-document" aria-label={label} lang={language?.language} dir={language?.dir}>
      {nodes.map((node, index) => renderNode(node, index, ctx))}
    </div>
  );
}
