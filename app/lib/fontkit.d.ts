// fontkit ships no type declarations; the Board book (issue 17) only asks a font whether it has a glyph.
declare module "fontkit" {
  export interface Font {
    hasGlyphForCodePoint(codePoint: number): boolean;
  }
  export function create(buffer: Buffer): Font;
}
