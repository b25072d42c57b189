import bidiFactory from "bidi-js";
import type {} from "pdfkit";
import { fontHas, fontName, type FontScript, type FontWeight } from "~/lib/book-fonts.server";

/**
 * Text in any of the six languages on a pdfkit page (issue 17). pdfkit draws a string in one font and in the order it
 * is given, so this module does what a browser would: it picks a font per character (Latin and Cyrillic, Arabic,
 * Chinese), breaks lines (at spaces, and between Chinese characters), orders each line with the Unicode
 * bidirectional algorithm (bidi-js), and hands each run to pdfkit, whose fontkit shapes Arabic (joining forms,
 * lam-alef) and lays a right-to-left run out from right to left by itself. Paragraphs whose first strong character is
 * Arabic are right to left and aligned right; neutral-only text takes the book's direction.
 */

const bidi = bidiFactory();

export type Direction = "ltr" | "rtl";
export interface TextStyle {
  size: number;
  weight?: FontWeight;
  color?: string;
}

const isArabic = (cp: number) =>
  (cp >= 0x0600 && cp <= 0x06ff) ||
  (cp >= 0x0750 && cp <= 0x077f) ||
  (cp >= 0x08a0 && cp <= 0x08ff) ||
  (cp >= 0xfb50 && cp <= 0xfdff) ||
  (cp >= 0xfe70 && cp <= 0xfeff);
const isCjk = (cp: number) =>
  (cp >= 0x2e80 && cp <= 0x9fff) ||
  (cp >= 0xf900 && cp <= 0xfaff) ||
  (cp >= 0xfe30 && cp <= 0xfe4f) ||
  (cp >= 0xff00 && cp <= 0xffef) ||
  (cp >= 0x20000 && cp <= 0x3ffff);
const letter = /\p{L}/u;

function scriptOf(char: string): FontScript | null {
  const cp = char.codePointAt(0)!;
  if (isArabic(cp)) return "arabic";
  if (isCjk(cp)) return "cjk";
  return letter.test(char) ? "latin" : null;
}

/** The characters of a string (code points), each with its UTF-16 offset, as bidi-js counts. */
function charsOf(text: string) {
  const chars: { char: string; at: number }[] = [];
  let at = 0;
  for (const char of text) {
    chars.push({ char, at });
    at += char.length;
  }
  return chars;
}

/** A font for every character: its script's; neutrals (spaces, digits, punctuation) take their strong neighbour's. */
function fontsFor(chars: { char: string }[]): FontScript[] {
  const strong = chars.map((item) => scriptOf(item.char));
  const fonts: FontScript[] = [];
  let previous: FontScript | null = null;
  for (let i = 0; i < chars.length; i++) {
    let script: FontScript = strong[i] ?? previous ?? strong.slice(i + 1).find((value) => value !== null) ?? "latin";
    const cp = chars[i]!.char.codePointAt(0)!;
    if (!fontHas(script, cp)) script = (["latin", "cjk", "arabic"] as const).find((s) => fontHas(s, cp)) ?? script;
    fonts.push(script);
    if (strong[i]) previous = script;
  }
  return fonts;
}

const noBreakBefore = new Set([..."，。、；：！？）」』》〉,.;:!?)%"]);
const isSpace = (char: string) => /\s/u.test(char);

/** One paragraph's text, prepared once: characters, fonts, bidi levels and direction. */
export interface Prepared {
  text: string;
  chars: { char: string; at: number }[];
  fonts: FontScript[];
  levels: Uint8Array;
  /** bidi-js's result, whose paragraph bounds reordering needs. */
  embedding: ReturnType<typeof bidi.getEmbeddingLevels>;
  direction: Direction;
}

export function prepare(text: string, fallback: Direction): Prepared {
  // Tabs become spaces; other control characters have no glyph and are dropped.
  const clean = text.replace(/\t/g, " ").replace(/\p{Cc}/gu, "");
  const chars = charsOf(clean);
  const hasStrong = chars.some((item) => {
    const type = bidi.getBidiCharTypeName(item.char);
    return type === "L" || type === "R" || type === "AL";
  });
  const levels = bidi.getEmbeddingLevels(clean, hasStrong ? undefined : fallback);
  const direction: Direction = (levels.paragraphs[0]?.level ?? (fallback === "rtl" ? 1 : 0)) % 2 ? "rtl" : "ltr";
  return { text: clean, chars, fonts: fontsFor(chars), levels: levels.levels, embedding: levels, direction };
}

/** A line is a range of characters [start, end), trailing spaces left out. */
export interface Line {
  start: number;
  end: number;
  width: number;
}

export class TextMeasurer {
  constructor(private readonly doc: PDFKit.PDFDocument) {}

  /** The width of characters [start, end) of a prepared paragraph, summed over its font runs. */
  width(prepared: Prepared, start: number, end: number, style: TextStyle): number {
    let width = 0;
    for (const run of fontRuns(prepared, start, end)) {
      this.use(run.font, style);
      width += this.doc.widthOfString(run.text);
    }
    return width;
  }

  use(font: FontScript, style: TextStyle) {
    this.doc.font(fontName(font, style.weight ?? "regular")).fontSize(style.size);
  }

  /** Greedy line breaking within `maxWidth`; a word longer than a line is cut between characters. */
  lines(prepared: Prepared, style: TextStyle, maxWidth: number): Line[] {
    const { chars } = prepared;
    const lines: Line[] = [];
    // Break opportunities: after spaces, and around Chinese characters.
    const breaks: number[] = [];
    for (let i = 1; i < chars.length; i++) {
      const before = chars[i - 1]!.char;
      const here = chars[i]!.char;
      if (isSpace(here)) continue;
      if (isSpace(before)) breaks.push(i);
      else if ((scriptOf(before) === "cjk" || scriptOf(here) === "cjk") && !noBreakBefore.has(here)) breaks.push(i);
    }
    breaks.push(chars.length);
    const trimmedEnd = (start: number, end: number) => {
      let e = end;
      while (e > start && isSpace(chars[e - 1]!.char)) e--;
      return e;
    };
    // Each piece between two opportunities is measured once: with its trailing spaces, and without them.
    const pieces: { start: number; end: number; full: number; trimmed: number }[] = [];
    let from = 0;
    for (const to of breaks) {
      const end = trimmedEnd(from, to);
      const trimmed = this.width(prepared, from, end, style);
      pieces.push({ start: from, end: to, trimmed, full: trimmed + this.width(prepared, end, to, style) });
      from = to;
    }
    let line: { start: number; end: number; width: number; full: number } | null = null;
    for (const piece of pieces) {
      if (line && line.full + piece.trimmed <= maxWidth) {
        line = { start: line.start, end: piece.end, width: line.full + piece.trimmed, full: line.full + piece.full };
        continue;
      }
      if (line) lines.push({ start: line.start, end: trimmedEnd(line.start, line.end), width: line.width });
      line = { start: piece.start, end: piece.end, width: piece.trimmed, full: piece.full };
      // One word wider than the line: cut it where it stops fitting.
      while (line.width > maxWidth && line.end - line.start > 1) {
        let cut: number = line.start + 1;
        while (cut < line.end - 1 && this.width(prepared, line.start, cut + 1, style) <= maxWidth) cut++;
        lines.push({ start: line.start, end: cut, width: this.width(prepared, line.start, cut, style) });
        const end = trimmedEnd(cut, line.end);
        const width = this.width(prepared, cut, end, style);
        line = { start: cut, end: line.end, width, full: width + this.width(prepared, end, line.end, style) };
      }
    }
    if (line) lines.push({ start: line.start, end: trimmedEnd(line.start, line.end), width: line.width });
    if (lines.length === 0) lines.push({ start: 0, end: 0, width: 0 });
    return lines;
  }

  /**
   * Draws one line with its left edge at x (the caller aligns). Runs are put in visual order by the bidi algorithm;
   * a right-to-left run that holds Arabic is given to fontkit in logical order (fontkit shapes it and reverses it
   * itself); any other right-to-left run (neutrals between Arabic words) is reversed here, brackets mirrored.
   */
  drawLine(prepared: Prepared, line: Line, x: number, y: number, style: TextStyle) {
    const { chars, levels, text } = prepared;
    if (line.end <= line.start) return;
    const from = chars[line.start]!.at;
    const to = chars[line.end - 1]!.at + chars[line.end - 1]!.char.length;
    // Visual order of the line's characters (indices into `chars`; a surrogate pair counts once).
    const unitToChar = new Map(chars.map((item, index) => [item.at, index]));
    const order = bidi
      .getReorderedIndices(text, prepared.embedding, from, to - 1)
      .flatMap((unit) => (unitToChar.has(unit) ? [unitToChar.get(unit)!] : []));
    const mirrored = bidi.getMirroredCharactersMap(text, levels, from, to - 1);
    // Group consecutive visual characters of one font and one level into runs, and runs into words: each word is
    // placed at its visual position but written in logical order, so text copied or extracted from the PDF reads in
    // the order it was written.
    const words: { x: number; text: string; font: FontScript; logical: number }[] = [];
    let cursor = x;
    let k = 0;
    while (k < order.length) {
      const first = order[k]!;
      const font = prepared.fonts[first]!;
      const level = levels[chars[first]!.at]!;
      let n = k + 1;
      while (
        n < order.length &&
        prepared.fonts[order[n]!] === font &&
        levels[chars[order[n]!]!.at] === level &&
        Math.abs(order[n]! - order[n - 1]!) === 1
      )
        n++;
      const rtl = level % 2 === 1;
      const logical = rtl ? order.slice(k, n).reverse() : order.slice(k, n);
      // Split into words and spaces (logical order), then lay them out in visual order.
      const tokens: number[][] = [];
      for (const index of logical) {
        const last = tokens[tokens.length - 1];
        if (last && isSpace(chars[last[0]!]!.char) === isSpace(chars[index]!.char)) last.push(index);
        else tokens.push([index]);
      }
      if (rtl) tokens.reverse();
      this.use(font, style);
      for (const token of tokens) {
        const glyphs = token.map((index) => mirrored.get(chars[index]!.at) ?? chars[index]!.char);
        const hasArabic = token.some((index) => scriptOf(chars[index]!.char) === "arabic");
        // fontkit lays an Arabic word out right to left itself; other right-to-left words are reversed here.
        const text = rtl && !hasArabic ? glyphs.reverse().join("") : glyphs.join("");
        const width = this.doc.widthOfString(text);
        if (!isSpace(chars[token[0]!]!.char)) words.push({ x: cursor, text, font, logical: Math.min(...token) });
        cursor += width;
      }
      k = n;
    }
    this.doc.fillColor(style.color ?? "#1a1a1a");
    for (const word of words.sort((a, b) => a.logical - b.logical)) {
      this.use(word.font, style);
      this.doc.text(word.text, word.x, y, { lineBreak: false });
    }
  }
}

/** Maximal runs of one font within [start, end), in logical order (for measuring). */
function fontRuns(prepared: Prepared, start: number, end: number) {
  const runs: { font: FontScript; text: string }[] = [];
  for (let i = start; i < end; i++) {
    const font = prepared.fonts[i]!;
    const last = runs[runs.length - 1];
    if (last && last.font === font) last.text += prepared.chars[i]!.char;
    else runs.push({ font, text: prepared.chars[i]!.char });
  }
  return runs;
}
