/**
 * The part of fontkit 2 (pdfkit's font engine, which ships no types) that ./schedule-document.ts
 * uses, and pdfkit taking such a font: its PDFFontFactory opens a fontkit font object as it is, which
 * @types/pdfkit does not say. One font object serves every document, so its tables are read once.
 */
declare module 'fontkit' {
  export interface Font {
    hasGlyphForCodePoint(codePoint: number): boolean;
    layout(text: string): unknown;
    readonly unitsPerEm: number;
    readonly ascent: number;
    readonly descent: number;
    readonly lineGap: number;
  }
  export function create(bytes: Uint8Array): Font;
}

declare namespace PDFKit.Mixins {
  interface PDFFont {
    registerFont(name: string, src: import('fontkit').Font): this;
  }
}
