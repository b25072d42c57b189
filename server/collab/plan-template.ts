import { defaultLanguage, isLanguageCode, type LanguageCode } from "../../app/i18n/config.js";
import { resources } from "../../app/i18n/resources.server.js";
import type { PlanNode } from "../../app/lib/plan-schema.js";

export interface TemplateCapability {
  code: string;
  label: string;
}

type TemplateStrings = (typeof resources)["en"]["translation"]["planTemplate"];

/** The template's headings and guidance in one language (app/i18n/locales/<code>.json, `planTemplate`). */
function templateStrings(language: LanguageCode): TemplateStrings {
  return resources[language].translation.planTemplate;
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

function section(strings: TemplateStrings, capability: TemplateCapability, index: number): PlanNode[] {
  const activity = strings.activityColumns;
  const kpi = strings.kpiColumns;
  return [
    heading(2, `${index + 1}. ${capability.label}`),
    heading(3, strings.objectives),
    paragraph(),
    heading(3, strings.activities),
    {
      type: "table",
      content: [
        row("tableHeader", [activity.activity, activity.start, activity.end, activity.lead]),
        row("tableCell", ["", "", "", ""]),
      ],
    },
    heading(3, strings.kpis),
    {
      type: "table",
      content: [
        row("tableHeader", [kpi.indicator, kpi.baseline, kpi.target, kpi.date]),
        row("tableCell", ["", "", "", ""]),
      ],
    },
    heading(3, strings.resources),
    paragraph(),
    heading(3, strings.risks),
    paragraph(),
  ];
}

/**
 * The action plan template (DOMAIN.md): one section per strategic capability the centre covers, in the plan's
 * language (centre_applications.plan_language, issue 18; the capability labels come in that language too). It is
 * written once, by the server, into the Yjs document, so clients never insert it themselves and it can never
 * duplicate. The headings must stay findable by private.plan_missing_parts (20261203000610).
 */
export function buildPlanTemplate(
  centreName: string,
  capabilities: TemplateCapability[],
  language: string = defaultLanguage,
): PlanNode {
  const strings = templateStrings(isLanguageCode(language) ? language : defaultLanguage);
  const sections = capabilities.length > 0 ? capabilities : [{ code: "general", label: strings.general }];
  return {
    type: "doc",
    content: [
      heading(1, strings.title.replace("{{name}}", centreName || strings.defaultCentre)),
      paragraph(strings.summary),
      ...sections.flatMap((capability, index) => section(strings, capability, index)),
    ],
  };
}
