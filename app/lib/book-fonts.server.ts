import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { create, type Font } from "fontkit";

/**
 * The Board book's fonts (issue 17), from npm packages installed with the app: never fetched at run time. Noto Sans
 * covers Latin and Cyrillic (English, French, Spanish, Russian), IBM Plex Sans Arabic covers Arabic with precomposed
 * contextual forms (each glyph maps back to its letter, so text copied or extracted from the PDF stays the text), and
 * Noto Sans SC covers Chinese. pdfkit embeds only the glyphs a book uses (subsets), so the PDF stays small.
 */
export type FontScript = "latin" | "arabic" | "cjk";
export type FontWeight = "regular" | "bold";

const require = createRequire(import.meta.url);
const files: Record<FontScript, Record<FontWeight, string>> = {
  latin: {
    regular: "@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf",
    bold: "@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf",
  },
  arabic: {
    regular: "@expo-google-fonts/ibm-plex-sans-arabic/400Regular/IBMPlexSansArabic_400Regular.ttf",
    bold: "@expo-google-fonts/ibm-plex-sans-arabic/700Bold/IBMPlexSansArabic_700Bold.ttf",
  },
  cjk: {
    regular: "@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf",
    bold: "@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf",
  },
};

export const fontScripts: FontScript[] = ["latin", "arabic", "cjk"];
export const fontName = (script: FontScript, weight: FontWeight) => `${script}-${weight}`;

interface LoadedFont {
  buffer: Buffer;
  coverage: Font;
}
let loaded: Map<string, LoadedFont> | undefined;

/** Reads the font files once per process (about 22 MB, most of it the Chinese font) and keeps them. */
export function bookFonts(): Map<string, LoadedFont> {
  if (!loaded) {
    const fonts = new Map<string, LoadedFont>();
    for (const script of fontScripts) {
      for (const weight of ["regular", "bold"] as const) {
        const buffer = readFileSync(require.resolve(files[script][weight]));
        fonts.set(fontName(script, weight), { buffer, coverage: create(buffer) });
      }
    }
    loaded = fonts;
  }
  return loaded;
}

/** Whether this script's font draws the character (the regular and bold cuts cover the same characters). */
export function fontHas(script: FontScript, codePoint: number): boolean {
  return bookFonts().get(fontName(script, "regular"))!.coverage.hasGlyphForCodePoint(codePoint);
}
