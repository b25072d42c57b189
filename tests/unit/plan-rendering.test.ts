import { createElement, type ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { I18nextProvider } from "react-i18next";
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from "react-router-dom/server";
import { describe, expect, it } from "vitest";
import { reconnectDelay } from "~/components/plan-editor/use-plan-connection";
import { PlanDiff } from "~/components/plan-diff";
import { PlanDocument } from "~/components/plan-document";
import { createI18n } from "~/i18n/config";
import { resources } from "~/i18n/resources.server";
import { diffPlans, planBlocks } from "~/lib/plan-diff";
import type { PlanNode } from "~/lib/plan-schema";

/** Renders in English inside a data router, as in the app (suggestions' labels read the root loader's time zone). */
async function inApp(element: ReactNode): Promise<string> {
  const handler = createStaticHandler([{ id: "root", path: "/", element, loader: () => ({ timeZone: "UTC" }) }]);
  const context = await handler.query(new Request("http://localhost/"));
  if (context instanceof Response) throw new Error("unexpected response");
  const router = createStaticRouter(handler.dataRoutes, context);
  const i18n = createI18n("en", resources.en.translation);
  return renderToStaticMarkup(
    createElement(I18nextProvider, { i18n }, createElement(StaticRouterProvider, { router, context, hydrate: false })),
  );
}
const render = (content: unknown) => inApp(createElement(PlanDocument, { content: content as PlanNode }));
const paragraph = (...content: PlanNode[]): PlanNode => ({ type: "paragraph", content });
const text = (value: string, marks?: PlanNode["marks"]): PlanNode => ({ type: "text", text: value, marks });

describe("the schema-restricted plan renderer", () => {
  it("renders the plan schema's nodes and marks", async () => {
    const html = await render({
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

  it("never produces script, event handlers or javascript: links, whatever the document holds", async () => {
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
    const html = await render(hostile);
    expect(html).not.toMatch(/<script|<iframe|<img|<[^>]*\son\w+=|href="\s*(javascript|data):|style=/i);
    expect(html).not.toMatch(/<a /);
    expect(html).toContain("alert(1)"); // the text survives, as text
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });

  it("renders nothing for something that is not a document", async () => {
    expect(await render(null)).toBe('<div class="plan-document"></div>');
    expect(await render({ type: "paragraph", content: "x" })).toBe('<div class="plan-document"></div>');
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

describe("open suggestions outside the editor (issue 18)", () => {
  const amina = "6f1c2e4a-8b3d-4c5e-9f7a-1b2c3d4e5f60";
  const at = "2026-12-02T09:00:00Z";
  const people = { [amina]: "Amina Diallo" };
  const insert = { type: "suggestionInsert", attrs: { id: "sugg-ins-1", author: amina, at } };
  const remove = { type: "suggestionDelete", attrs: { id: "sugg-del-1", author: amina, at } };
  const plan: PlanNode = {
    type: "doc",
    content: [
      paragraph(
        text("Target "),
        text("10", [remove]),
        text(" startups"),
        // One suggestion over two runs (the second bold) is drawn, and labelled, once.
        text(" in ", [insert]),
        text("Dakar", [{ type: "bold" }, insert]),
      ),
    ],
  };

  it("draws a suggested insertion underlined and a deletion struck through, each named by author for every reader", async () => {
    const html = await inApp(createElement(PlanDocument, { content: plan, people }));
    const label = (kind: string) => `Suggested ${kind} by Amina Diallo, December 2, 2026`;
    expect(html).toMatch(new RegExp(`<del class="suggestion suggestion--delete" title="${label("deletion")}[^"]*"`));
    expect(html).toMatch(new RegExp(`<ins class="suggestion suggestion--insert" title="${label("insertion")}[^"]*"`));
    // The label is text (screen readers, print), not only a colour or a tooltip; the end of each is said too.
    expect(html).toMatch(
      new RegExp(`<span class="visually-hidden suggestion__label">${label("deletion")}[^<]*: </span>10<`),
    );
    expect(html).toMatch(/<span class="visually-hidden suggestion__label">[^<]*: <\/span> in <strong>Dakar<\/strong>/);
    expect(html.match(/suggestion__label/g)).toHaveLength(2);
    expect(html.match(/end of suggestion/g)).toHaveLength(2);
    // Ordinary text stays ordinary.
    expect(html).toContain("<p>Target <del");
  });

  it("keeps open suggestions marked when comparing versions", async () => {
    const before: PlanNode = { type: "doc", content: [paragraph(text("Target 10 startups"))] };
    const blocks = diffPlans(before, plan);
    const parts = blocks.flatMap((block) => block.parts);
    expect(parts).toContainEqual({ kind: "same", text: "10", suggestion: { kind: "delete", author: amina, at } });
    expect(
      parts
        .filter((part) => part.suggestion?.kind === "insert")
        .map((part) => part.text)
        .join(""),
    ).toBe(" in Dakar");
    expect(parts.find((part) => part.text.includes("Target"))?.suggestion).toBeUndefined();
    const html = await inApp(createElement(PlanDiff, { blocks, people }));
    expect(html).toMatch(/<del class="suggestion suggestion--delete" title="Suggested deletion by Amina Diallo/);
    expect(html).toMatch(/<ins class="suggestion suggestion--insert" title="Suggested insertion by Amina Diallo/);
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
