import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { reconnectDelay } from "~/components/plan-editor/use-plan-connection";
import { PlanDocument } from "~/components/plan-document";
import { diffPlans, planBlocks } from "~/lib/plan-diff";
import type { PlanNode } from "~/lib/plan-schema";

const render = (content: unknown) =>
  renderToStaticMarkup(createElement(PlanDocument, { content: content as PlanNode }));
const paragraph = (...content: PlanNode[]): PlanNode => ({ type: "paragraph", content });
const text = (value: string, marks?: PlanNode["marks"]): PlanNode => ({ type: "text", text: value, marks });

describe("the schema-restricted plan renderer", () => {
  it("renders the plan schema's nodes and marks", () => {
    const html = render({
      type: "doc",
      content: [
        { type: "heading", attrs: { level: 2 }, content: [text("Objectives")] },
        paragraph(
          text("Grow ", [{ type: "bold" }]),
          text("SMEs", [{ type: "link", attrs: { href: "https://itu.int/x" } }]),
        ),
        {
          type: "table",
          content: [{ type: "tableRow", content: [{ type: "tableHeader", content: [paragraph(text("KPI"))] }] }],
        },
      ],
    });
    expect(html).toContain("<h3>Objectives</h3>");
    expect(html).toContain("<strong>Grow </strong>");
    expect(html).toContain('<a href="https://itu.int/x" rel="noopener noreferrer nofollow">SMEs</a>');
    expect(html).toContain('<th scope="col">');
  });

  it("never produces script, event handlers or javascript: links, whatever the document holds", () => {
    const hostile = {
      type: "doc",
      content: [
        { type: "script", content: [text("alert(1)")] },
        {
          type: "paragraph",
          attrs: { onclick: "alert(1)", style: "x" },
          content: [text("<img src=x onerror=alert(1)>")],
        },
        paragraph(text("click", [{ type: "link", attrs: { href: "javascript:alert(1)" } }])),
        paragraph(text("data", [{ type: "link", attrs: { href: "data:text/html,<script>alert(1)</script>" } }])),
        paragraph(text("spaced", [{ type: "link", attrs: { href: " JaVaScRiPt:alert(1)" } }])),
        { type: "iframe", attrs: { src: "https://evil.example" } },
        { type: "tableCell", attrs: { colspan: "1 onmouseover=alert(1)" }, content: [paragraph(text("cell"))] },
      ],
    };
    const html = render(hostile);
    expect(html).not.toMatch(/<script|<iframe|<img|<[^>]*\son\w+=|href="\s*(javascript|data):|style=/i);
    expect(html).not.toMatch(/<a /);
    expect(html).toContain("alert(1)"); // the text survives, as text
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });

  it("renders nothing for something that is not a document", () => {
    expect(render(null)).toBe('<div class="plan-document"></div>');
    expect(render({ type: "paragraph", content: "x" })).toBe('<div class="plan-document"></div>');
  });
});

describe("comparing versions", () => {
  const doc = (...blocks: string[]): PlanNode => ({
    type: "doc",
    content: blocks.map((value) => paragraph(text(value))),
  });

  it("flattens a plan to its blocks", () => {
    expect(
      planBlocks({
        type: "doc",
        content: [{ type: "heading", attrs: { level: 2 }, content: [text("Risks")] }, paragraph(text("None"))],
      }),
    ).toEqual(["## Risks", "None"]);
  });

  it("shows added, removed and changed blocks with word changes", () => {
    const blocks = diffPlans(
      doc("Keep", "Target 10 startups", "Drop me"),
      doc("Keep", "Target 25 startups", "New block"),
    );
    expect(blocks[0]).toEqual({ kind: "same", parts: [{ kind: "same", text: "Keep" }] });
    const changed = blocks.filter((block) => block.kind === "changed");
    expect(changed.length).toBeGreaterThan(0);
    const parts = changed.flatMap((block) => block.parts);
    expect(parts).toContainEqual({ kind: "removed", text: "10" });
    expect(parts).toContainEqual({ kind: "added", text: "25" });
  });
});

describe("reconnecting", () => {
  it("waits a random time up to a cap that grows with each attempt and never exceeds 15 s", () => {
    expect(reconnectDelay(0, () => 0.999)).toBeLessThanOrEqual(250);
    expect(reconnectDelay(3, () => 0.999)).toBeLessThanOrEqual(2000);
    expect(reconnectDelay(30, () => 0.999)).toBeLessThanOrEqual(15_000);
    expect(reconnectDelay(5, () => 0)).toBe(0);
    const spread = new Set(Array.from({ length: 50 }, () => reconnectDelay(4)));
    expect(spread.size).toBeGreaterThan(10);
  });
});
