import PDFDocument from "pdfkit";
import { bookFonts } from "~/lib/book-fonts.server";
import { formatDateTime } from "~/lib/datetime";
import { prepare, TextMeasurer, type Direction, type TextStyle } from "~/lib/pdf-text.server";
import type { PlanNode } from "~/lib/plan-schema";
import type { BookPacket, BookReview } from "~/models/board-book.server";
import type { ReferenceData } from "~/models/reference.server";
import { applicationFields } from "~/validation/applications";

/**
 * Renders the Board book (issue 17) with pdfkit: a cover, a table of contents with page numbers and links, then per
 * packet the application, the EoI (every answer), BDT's recommendation and the plan version sent, the plan drawn
 * from its ProseMirror JSON with the same node set as the printable copy (`PlanDocument`: headings, paragraphs,
 * lists, quotes, tables such as the KPI table). Every page carries the reader's name, "confidential" and its number.
 */

export interface BookLabels {
  t: (key: string, options?: Record<string, unknown>) => string;
  language: string;
  timeZone: string;
  reference: ReferenceData;
}

const A4 = { width: 595.28, height: 841.89 };
const margin = { top: 64, bottom: 60, side: 56 };
const body: TextStyle = { size: 10 };
const small: TextStyle = { size: 8.5, color: "#555555" };
const bold = (style: TextStyle): TextStyle => ({ ...style, weight: "bold" });
const headingSizes = [0, 20, 15, 12.5, 11, 10.5];
const lineGap = 1.35;
const tocLinesPerPage = 38;

class BookWriter {
  readonly doc: PDFKit.PDFDocument;
  readonly text: TextMeasurer;
  y = margin.top;
  readonly left = margin.side;
  readonly right = A4.width - margin.side;
  readonly bottom = A4.height - margin.bottom;
  /** The page (from 0) of each named destination, for the contents. */
  readonly destinations = new Map<string, number>();

  constructor(readonly direction: Direction) {
    this.doc = new PDFDocument({ size: "A4", margin: 20, bufferPages: true, autoFirstPage: true });
    for (const [name, font] of bookFonts()) this.doc.registerFont(name, font.buffer);
    this.text = new TextMeasurer(this.doc);
  }

  get page() {
    return this.doc.bufferedPageRange().count - 1;
  }

  newPage() {
    this.doc.addPage();
    this.y = margin.top;
  }

  ensure(height: number) {
    if (this.y + height > this.bottom) this.newPage();
  }

  /** A paragraph, wrapped within [left + indent, right] (mirrored in a right-to-left book), broken across pages. */
  paragraph(value: string, style: TextStyle = body, options: { indent?: number; after?: number } = {}) {
    const indent = options.indent ?? 0;
    const width = this.right - this.left - indent;
    const boxLeft = this.direction === "rtl" ? this.left : this.left + indent;
    for (const part of value.split("\n")) {
      const prepared = prepare(part, this.direction);
      const height = style.size * lineGap;
      for (const line of this.text.lines(prepared, style, width)) {
        this.ensure(height);
        const x = prepared.direction === "rtl" ? boxLeft + width - line.width : boxLeft;
        this.text.drawLine(prepared, line, x, this.y, style);
        this.y += height;
      }
    }
    this.y += options.after ?? style.size * 0.5;
  }

  /** Height of a text wrapped in `width` (for table rows). */
  measure(value: string, style: TextStyle, width: number) {
    return value
      .split("\n")
      .reduce(
        (sum, part) => sum + this.text.lines(prepare(part, this.direction), style, width).length * style.size * lineGap,
        0,
      );
  }

  /** Draws a wrapped text in a box at (x, y) without page breaks (table cells, headers). */
  box(value: string, style: TextStyle, x: number, y: number, width: number) {
    let top = y;
    for (const part of value.split("\n")) {
      const prepared = prepare(part, this.direction);
      for (const line of this.text.lines(prepared, style, width)) {
        const left = prepared.direction === "rtl" ? x + width - line.width : x;
        this.text.drawLine(prepared, line, left, top, style);
        top += style.size * lineGap;
      }
    }
  }

  heading(value: string, level: number, destination?: string) {
    const style = bold({ size: headingSizes[level] ?? 10.5 });
    this.ensure(style.size * lineGap * 2.5);
    this.y += level <= 2 ? 6 : 3;
    if (destination) {
      this.doc.addNamedDestination(destination, "XYZ", 0, A4.height - this.y + 8, null);
      this.destinations.set(destination, this.page);
    }
    this.paragraph(value, style, { after: 4 });
  }

  /** A label in bold above its answer (one direction per line keeps mixed languages readable). */
  field(label: string, value: string | null | undefined, empty: string) {
    this.ensure(body.size * lineGap * 2);
    this.paragraph(label, bold(body), { after: 1 });
    this.paragraph(value?.trim() ? value : empty, value?.trim() ? body : { ...body, color: "#666666" }, { after: 7 });
  }

  rule() {
    this.ensure(10);
    this.doc
      .moveTo(this.left, this.y + 2)
      .lineTo(this.right, this.y + 2)
      .lineWidth(0.5)
      .strokeColor("#999999")
      .stroke();
    this.y += 10;
  }
}

/** Plan JSON to text: the text of a node and its children, hard breaks as new lines. */
function plainText(node: PlanNode): string {
  if (node.type === "text") return node.text ?? "";
  if (node.type === "hardBreak") return "\n";
  return (node.content ?? []).map(plainText).join("");
}

function drawPlanNode(writer: BookWriter, node: PlanNode, indent: number, marker?: string) {
  switch (node.type) {
    case "heading": {
      const level = Math.min(5, Math.max(3, Number(node.attrs?.level ?? 1) + 2));
      writer.heading(plainText(node), level);
      return;
    }
    case "paragraph":
    case "codeBlock":
      writer.paragraph(`${marker ?? ""}${plainText(node)}`, body, { indent });
      return;
    case "blockquote":
      for (const child of node.content ?? []) drawPlanNode(writer, child, indent + 14);
      return;
    case "bulletList":
    case "orderedList":
      (node.content ?? []).forEach((item, index) => {
        const bullet = node.type === "bulletList" ? "• " : `${index + 1}. `;
        (item.content ?? []).forEach((child, childIndex) =>
          drawPlanNode(writer, child, indent + 14, childIndex === 0 ? bullet : undefined),
        );
      });
      return;
    case "horizontalRule":
      writer.rule();
      return;
    case "table":
      drawTable(writer, node, indent);
      return;
    default:
      for (const child of node.content ?? []) drawPlanNode(writer, child, indent);
  }
}

/** A plan table (the KPI table: indicator, baseline, target…): a grid, header cells bold and shaded, rows kept whole. */
function drawTable(writer: BookWriter, table: PlanNode, indent: number) {
  const rows = (table.content ?? []).filter((row) => row.type === "tableRow");
  const columns = Math.max(
    1,
    ...rows.map((row) =>
      (row.content ?? []).reduce((sum, cell) => sum + Math.max(1, Number(cell.attrs?.colspan ?? 1) || 1), 0),
    ),
  );
  const width = writer.right - writer.left - indent;
  const columnWidth = width / columns;
  const pad = 4;
  writer.y += 2;
  for (const row of rows) {
    const cells = (row.content ?? []).map((cell) => {
      const span = Math.min(columns, Math.max(1, Number(cell.attrs?.colspan ?? 1) || 1));
      const style = cell.type === "tableHeader" ? bold({ size: 9 }) : { size: 9 };
      return { text: (cell.content ?? []).map(plainText).join("\n"), span, style, header: cell.type === "tableHeader" };
    });
    const height =
      Math.max(...cells.map((cell) => writer.measure(cell.text, cell.style, cell.span * columnWidth - pad * 2)), 9) +
      pad * 2;
    writer.ensure(height);
    // Columns run from the start side: left to right, or right to left in an Arabic book.
    let offset = 0;
    for (const cell of cells) {
      const cellWidth = cell.span * columnWidth;
      const x = writer.direction === "rtl" ? writer.right - offset - cellWidth : writer.left + indent + offset;
      if (cell.header) writer.doc.rect(x, writer.y, cellWidth, height).fillColor("#eeeeee").fill();
      writer.doc.rect(x, writer.y, cellWidth, height).lineWidth(0.5).strokeColor("#888888").stroke();
      writer.box(cell.text, cell.style, x + pad, writer.y + pad, cellWidth - pad * 2);
      offset += cellWidth;
    }
    writer.y += height;
  }
  writer.y += 8;
}

function drawPacket(writer: BookWriter, packet: BookPacket, labels: BookLabels, index: number) {
  const { t, reference } = labels;
  const empty = t("eoiSummary.notGiven");
  const label = (list: { code: string; label: string }[], code: string | null) =>
    code ? (list.find((item) => item.code === code)?.label ?? code) : null;
  const labelList = (list: { code: string; label: string }[], codes: string[]) =>
    codes.length ? codes.map((code) => label(list, code)).join(", ") : null;
  const country = (code: string) => reference.countries.find((item) => item.code === code)?.label ?? code;
  const { heading } = packet;
  writer.newPage();
  writer.heading(heading.centreName || t("eois.untitled"), 1, `packet-${index}`);
  writer.paragraph(`${heading.hostInstitution} (${country(heading.countryCode)})`, { ...body, color: "#444444" });

  writer.heading(t("board.applicationTitle"), 2, `packet-${index}-application`);
  writer.field(t("applications.centreType"), label(reference.centreTypes, packet.profile.centreType), empty);
  writer.field(t("applications.scope"), packet.profile.scope ? t(`scopes.${packet.profile.scope}`) : null, empty);
  writer.field(t("applications.capabilities"), labelList(reference.capabilities, packet.profile.capabilities), empty);
  for (const field of applicationFields) writer.field(t(`applications.fields.${field}`), packet.answers[field], empty);
  writer.field(t("board.applicationAttachments"), packet.applicationFiles.join("\n") || null, empty);

  writer.heading(t("board.eoiTitle"), 2, `packet-${index}-eoi`);
  const eoi = packet.eoi;
  if (eoi) {
    writer.field(t("eoiForm.institution"), `${heading.hostInstitution} (${country(heading.countryCode)})`, empty);
    writer.field(
      t("eoiForm.contactName"),
      [eoi.contact_name, eoi.contact_email ? `<${eoi.contact_email}>` : ""].filter(Boolean).join(" ") || null,
      empty,
    );
    writer.field(t("eoiForm.centreName"), eoi.centre_name, empty);
    writer.field(t("eoiForm.requestKind"), eoi.request_kind ? t(`eoiForm.${eoi.request_kind}`) : null, empty);
    writer.field(t("eoiForm.centreType"), label(reference.centreTypes, eoi.proposed_centre_type), empty);
    writer.field(t("eoiForm.scope"), eoi.proposed_scope ? t(`scopes.${eoi.proposed_scope}`) : null, empty);
    writer.field(t("eoiForm.capabilities"), labelList(reference.capabilities, eoi.capabilities), empty);
    writer.field(t("eoiForm.initiatives"), eoi.regional_initiatives.join(", ") || null, empty);
    writer.field(t("eoiForm.priorities"), labelList(reference.priorities, eoi.kigali_priorities), empty);
    writer.field(t("eoiForm.alignment"), eoi.alignment, empty);
    writer.field(t("eoiForm.motivation"), eoi.motivation, empty);
    writer.field(t("eoiForm.ecosystem"), eoi.ecosystem, empty);
    writer.field(t("eoiForm.resources"), eoi.resources, empty);
    writer.field(t("eoiForm.governance"), eoi.governance, empty);
    writer.field(t("attachments.title"), eoi.files.join("\n") || null, empty);
  } else writer.paragraph(empty);

  writer.heading(t("board.bdtRecommendation"), 2, `packet-${index}-recommendation`);
  writer.field(
    t("applications.recommendedOutcome"),
    packet.recommendation.outcome ? t(`board.choices.${packet.recommendation.outcome}`) : null,
    empty,
  );
  writer.paragraph(packet.recommendation.text?.trim() || empty);

  writer.heading(t("board.planTitle"), 2, `packet-${index}-plan`);
  if (packet.plan) {
    writer.paragraph(
      t("book.planVersion", {
        name: packet.plan.name,
        when: formatDateTime(packet.plan.createdAt, labels.language, labels.timeZone),
      }),
      small,
    );
    writer.paragraph(`SHA-256 ${packet.plan.hash}`, small, { after: 8 });
    const nodes = packet.plan.content?.type === "doc" ? (packet.plan.content.content ?? []) : [];
    for (const node of nodes) drawPlanNode(writer, node, 0);
  } else writer.paragraph(empty);
}

export interface BookInput {
  review: BookReview;
  packets: BookPacket[];
  reader: string;
  generatedAt: Date;
}

/** The table of contents' entries: per packet its heading, then its four parts, each with its destination. */
function tocEntries(packets: BookPacket[], t: BookLabels["t"]) {
  return packets.flatMap((packet, index) => [
    { text: packet.heading.centreName || t("eois.untitled"), destination: `packet-${index}`, level: 0 },
    { text: t("board.applicationTitle"), destination: `packet-${index}-application`, level: 1 },
    { text: t("board.eoiTitle"), destination: `packet-${index}-eoi`, level: 1 },
    { text: t("board.bdtRecommendation"), destination: `packet-${index}-recommendation`, level: 1 },
    { text: t("board.planTitle"), destination: `packet-${index}-plan`, level: 1 },
  ]);
}

/** Builds the book and resolves with the PDF's bytes; `onPacket` is told as each packet is drawn. */
export async function renderBoardBook(
  input: BookInput,
  labels: BookLabels,
  onPacket: (done: number, total: number) => void | Promise<void> = () => {},
): Promise<Buffer> {
  const { t } = labels;
  const direction: Direction = labels.language === "ar" ? "rtl" : "ltr";
  const writer = new BookWriter(direction);
  const { doc } = writer;
  doc.info.Title = `${t("book.title")}: ${input.review.title}`;
  doc.info.Author = input.reader;
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on("end", resolve);
    doc.on("error", reject);
  });

  // Cover.
  writer.y = 140;
  writer.paragraph(t("book.title"), bold({ size: 14, color: "#555555" }), { after: 6 });
  writer.paragraph(input.review.title, bold({ size: 24 }), { after: 16 });
  writer.paragraph(t("book.preparedFor", { name: input.reader }), body);
  writer.paragraph(
    t("book.generatedAt", { when: formatDateTime(input.generatedAt.toISOString(), labels.language, labels.timeZone) }),
    body,
  );
  writer.paragraph(t("book.packetCount", { count: input.packets.length, total: input.review.packets.length }), body);
  writer.y += 10;
  writer.paragraph(t("book.confidentialNotice"), bold(body));
  if (input.packets.length < input.review.packets.length) writer.paragraph(t("book.leftOut"), body);

  // Contents: pages reserved now, written once the packets' pages are known.
  const entries = tocEntries(input.packets, t);
  const tocPages = Math.max(1, Math.ceil((entries.length + 2) / tocLinesPerPage));
  const tocStart = writer.page + 1;
  for (let i = 0; i < tocPages; i++) writer.newPage();

  for (const [index, packet] of input.packets.entries()) {
    drawPacket(writer, packet, labels, index);
    await onPacket(index + 1, input.packets.length);
  }

  writeContents(writer, entries, tocStart, labels);
  stampPages(writer, input.reader, labels);
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}

function writeContents(
  writer: BookWriter,
  entries: ReturnType<typeof tocEntries>,
  tocStart: number,
  labels: BookLabels,
) {
  const { doc } = writer;
  let page = tocStart;
  doc.switchToPage(page);
  writer.y = margin.top;
  writer.paragraph(labels.t("book.contents"), bold({ size: 18 }), { after: 10 });
  let lines = 2;
  const numberWidth = 40;
  for (const entry of entries) {
    if (lines >= tocLinesPerPage) {
      page++;
      doc.switchToPage(page);
      writer.y = margin.top;
      lines = 0;
    }
    const style = entry.level === 0 ? bold(body) : body;
    const indent = entry.level * 16;
    const target = writer.destinations.get(entry.destination);
    const number = target === undefined ? "" : String(target + 1);
    const textWidth = writer.right - writer.left - numberWidth - indent;
    const rtl = writer.direction === "rtl";
    const textX = rtl ? writer.left + numberWidth : writer.left + indent;
    const numberX = rtl ? writer.left : writer.right - numberWidth;
    const lineHeight = body.size * lineGap + 3;
    writer.box(entry.text, style, textX, writer.y, textWidth);
    writer.box(number, body, numberX, writer.y, numberWidth);
    doc.goTo(writer.left, writer.y, writer.right - writer.left, lineHeight, entry.destination);
    writer.y += lineHeight;
    lines++;
  }
}

/** The running header (reader's name, "confidential") and footer (page n of m) on every page. */
function stampPages(writer: BookWriter, reader: string, labels: BookLabels) {
  const { doc } = writer;
  const range = doc.bufferedPageRange();
  const header = `${labels.t("book.confidential")} · ${labels.t("book.readerMark", { name: reader })}`;
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const width = writer.right - writer.left;
    writer.box(header, { size: 8.5, weight: "bold", color: "#a00000" }, writer.left, 28, width);
    doc.moveTo(writer.left, 44).lineTo(writer.right, 44).lineWidth(0.5).strokeColor("#a00000").stroke();
    writer.box(labels.t("book.pageOf", { page: i + 1, pages: range.count }), small, writer.left, A4.height - 40, width);
  }
}
