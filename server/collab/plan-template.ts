import type { PlanNode } from "../../app/lib/plan-schema.js";

export interface TemplateCapability {
  code: string;
  label: string;
}

const text = (value: string): PlanNode => ({ type: "text", text: value });
const heading = (level: number, value: string): PlanNode => ({
  type: "heading",
  attrs: { level },
  content: [text(value)],
});
const paragraph = (value?: string): PlanNode => ({ type: "paragraph", content: value ? [text(value)] : [] });
const cell = (type: "tableHeader" | "tableCell", value = ""): PlanNode => ({ type, content: [paragraph(value)] });
const row = (type: "tableHeader" | "tableCell", values: string[]): PlanNode => ({
  type: "tableRow",
  content: values.map((value) => cell(type, value)),
});

function section(capability: TemplateCapability, index: number): PlanNode[] {
  return [
    heading(2, `${index + 1}. ${capability.label}`),
    heading(3, "Objectives"),
    paragraph(),
    heading(3, "Activities and timeline"),
    {
      type: "table",
      content: [row("tableHeader", ["Activity", "Start", "End", "Lead"]), row("tableCell", ["", "", "", ""])],
    },
    heading(3, "Key performance indicators"),
    {
      type: "table",
      content: [row("tableHeader", ["Indicator", "Baseline", "Target", "Date"]), row("tableCell", ["", "", "", ""])],
    },
    heading(3, "Resources and partners"),
    paragraph(),
    heading(3, "Risks"),
    paragraph(),
  ];
}

/**
 * The action plan template (DOMAIN.md): one section per strategic capability the centre covers. It is written
 * once, by the server, into the Yjs document, so clients never insert it themselves and it can never duplicate.
 */
export function buildPlanTemplate(centreName: string, capabilities: TemplateCapability[]): PlanNode {
  const sections = capabilities.length > 0 ? capabilities : [{ code: "general", label: "Strategic objective" }];
  return {
    type: "doc",
    content: [
      heading(1, `Action plan: ${centreName || "Acceleration Centre"}`),
      paragraph("Summary: what the centre will achieve in its first three years."),
      ...sections.flatMap(section),
    ],
  };
}
