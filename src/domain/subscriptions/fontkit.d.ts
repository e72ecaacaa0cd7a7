/**
 * The part of fontkit 2 (pdfkit's font engine, which ships no types) that ./schedule-writing.ts
 * uses: which characters a face has and its vertical metrics. Documents write with fonts pdfkit
 * opens from the same bytes, one per document (./schedule-writing.ts, `faceName`).
 */
declare module 'fontkit' {
  export interface Font {
    hasGlyphForCodePoint(codePoint: number): boolean;
    readonly unitsPerEm: number;
    readonly ascent: number;
    readonly descent: number;
    readonly lineGap: number;
  }
  export function create(bytes: Uint8Array): Font;
}
