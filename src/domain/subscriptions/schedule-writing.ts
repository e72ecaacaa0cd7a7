/**
 * How the policy schedule writes a person's text (docs/subscriptions.md, Documents): a chain of
 * faces, the first that has every glyph of a run writing it, and right-to-left runs set in the
 * order a reader reads them.
 *
 * DejaVu Sans (npm `dejavu-fonts-ttf`) writes Latin with its extensions, Greek, Cyrillic, Armenian,
 * Georgian, Hebrew and Arabic; Noto Sans JP, SC and KR (npm `@expo-google-fonts/noto-sans-*`, whole
 * TTFs: the split web fonts of other packages would have to be searched for a glyph) write Japanese,
 * Chinese and Korean. JP comes before SC so that Japanese is drawn in Japanese forms; a run with a
 * character only the simplified Chinese face has (陈) is written in SC whole. Each face's file is read
 * on the first schedule that needs it and kept; each PDF opens its own fonts from it (see `faceName`),
 * and pdfkit embeds in each PDF only the glyphs it uses.
 *
 * A line holding a right-to-left letter is ordered by the Unicode bidirectional algorithm (bidi-js)
 * in a left-to-right paragraph, as the schedule's German or English labels are: pdfkit sets the words
 * of a line left to right, which wrote a Hebrew or Arabic name of several words in reverse order.
 * fontkit shapes each right-to-left word (Arabic's joined forms) and sets its glyphs right to left.
 */
import fs from 'node:fs';
import bidiFactory, { type EmbeddingLevels } from 'bidi-js';
import { create as openFont, type Font } from 'fontkit';

interface FaceFiles {
  /** The name the document knows the face by (`registerFont`); the bold one's adds `-Bold`. */
  name: string;
  regular: string;
  bold: string;
}

const CHAIN: FaceFiles[] = [
  { name: 'DejaVuSans', regular: 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf', bold: 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf' },
  ...['JP', 'SC', 'KR'].map((region) => ({
    name: `NotoSans${region}`,
    regular: `@expo-google-fonts/noto-sans-${region.toLowerCase()}/400Regular/NotoSans${region}_400Regular.ttf`,
    bold: `@expo-google-fonts/noto-sans-${region.toLowerCase()}/700Bold/NotoSans${region}_700Bold.ttf`,
  })),
];

const bytes = new Map<string, Buffer>();

/** The bytes of a face's file, read once. */
function bytesOf(file: string): Buffer {
  if (!bytes.has(file)) bytes.set(file, fs.readFileSync(require.resolve(file)));
  return bytes.get(file)!;
}

const loaded: ({ regular: Font; bold: Font } | undefined)[] = [];

/** Face `index` as the chain asks of it (which characters it has, its ascent and descent); no document writes with these. */
function faceAt(index: number): { regular: Font; bold: Font } {
  const files = CHAIN[index];
  loaded[index] ??= { regular: openFont(bytesOf(files.regular)), bold: openFont(bytesOf(files.bold)) };
  return loaded[index];
}

/** Whether face `index` writes the character in both weights (none writes a control character: a line break is written as `?`). */
function faceHas(index: number, char: string): boolean {
  const { regular, bold } = faceAt(index);
  const code = char.codePointAt(0)!;
  return regular.hasGlyphForCodePoint(code) && bold.hasGlyphForCodePoint(code);
}

/** The first face of the chain that writes the character, the next ones read only when the earlier lack it; -1: none. */
function firstFaceOf(char: string): number {
  return CHAIN.findIndex((_, index) => faceHas(index, char));
}

/**
 * `text` as the faces can write it, composed first (a letter typed as a base and a combining accent is
 * written as the one letter the font has). A character no face has is written as its compatible
 * form without accents where a face has that (mathematical bold 𝐌 → M), else as `?`.
 */
export function printable(text: string): string {
  return [...text.normalize('NFC')]
    .map((char) => {
      if (firstFaceOf(char) >= 0) return char;
      const bare = char.normalize('NFKD').replace(/\p{M}/gu, '');
      return bare && [...bare].every((part) => firstFaceOf(part) >= 0) ? bare : '?';
    })
    .join('');
}

/** A stretch of text written in one face. */
interface Run {
  text: string;
  face: number;
}

/** Spaces, punctuation, digits and marks: they belong to the run they stand in. */
const NEUTRAL = /^[\p{Script=Common}\p{Script=Inherited}]$/u;

/**
 * `text` (printable) in runs, each written by the first face that has every glyph of it: letters
 * DejaVu Sans has, and letters it lacks, make runs of their own, neutral characters staying in the
 * run before them; a run no one face writes whole (kana beside hangul) falls back to each
 * character's first face.
 */
function runsOf(text: string): Run[] {
  const groups: { chars: string[]; base: boolean }[] = [];
  for (const char of text) {
    const last = groups.at(-1);
    const base = faceHas(0, char);
    if (last && (last.base === base || NEUTRAL.test(char))) last.chars.push(char);
    else groups.push({ chars: [char], base });
  }
  return groups.flatMap(({ chars }) => {
    const face = CHAIN.findIndex((_, index) => chars.every((char) => faceHas(index, char)));
    if (face >= 0) return [{ text: chars.join(''), face }];
    return chars.reduce<Run[]>((runs, char) => {
      const own = firstFaceOf(char);
      const last = runs.at(-1);
      if (last?.face === own) last.text += char;
      else runs.push({ text: char, face: own });
      return runs;
    }, []);
  });
}

const bidi = bidiFactory();

/** A right-to-left letter (Hebrew, Arabic and the other scripts the bidirectional algorithm calls R or AL). */
const hasRightToLeft = (text: string) => [...text].some((char) => ['R', 'AL'].includes(bidi.getBidiCharTypeName(char)));

export type Weight = 'regular' | 'bold';

/** The faces each document has registered, by name. */
const registered = new WeakMap<PDFKit.PDFDocument, Set<string>>();

/**
 * The name the document knows face `index` in `weight` by, registered on its first use in the document
 * from the file's bytes: pdfkit opens a font of the document's own. A font object must not write two
 * documents: fontkit keeps a glyph with the characters of the first text it was laid out for, or with
 * none when a subset took it as part of another glyph (DejaVu Sans draws ž as z and a caron), and pdfkit
 * gives a glyph in the PDF those characters as its text (ToUnicode). One font kept for every schedule
 * left z without text in all those after one that wrote ž before any z.
 */
function faceName(doc: PDFKit.PDFDocument, index: number, weight: Weight): string {
  const name = weight === 'bold' ? `${CHAIN[index].name}-Bold` : CHAIN[index].name;
  const names = registered.get(doc) ?? new Set<string>();
  registered.set(doc, names);
  if (!names.has(name)) doc.registerFont(name, bytesOf(CHAIN[index][weight]));
  names.add(name);
  return name;
}

/** The name of DejaVu Sans in `weight` in the document: the face of the schedule's own words (labels, headings, dates, amounts). */
export const baseFace = (doc: PDFKit.PDFDocument, weight: Weight) => faceName(doc, 0, weight);

/** A piece of a line in the order it is drawn, left to right; `text` in the order fontkit takes it (see `visualPieces`). */
interface Piece {
  text: string;
  face: number;
  width: number;
}

/** One line of text: its pieces and the faces' highest ascent and deepest descent with line gap, in points. */
interface Line {
  pieces: Piece[];
  ascent: number;
  below: number;
}

/** Chinese and Japanese put no spaces between words: a line may break before or after any of their characters. */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

/** The words of `text` in logical order, each [start, end) in UTF-16 units (as bidi-js counts) with the spaces after it. */
function wordsOf(text: string): [number, number][] {
  const words: [number, number][] = [];
  let start = 0;
  let index = 0;
  let previous = '';
  for (const char of text) {
    if (index > start && /\S/.test(char) && (/\s/.test(previous) || CJK.test(char) || CJK.test(previous))) {
      words.push([start, index]);
      start = index;
    }
    previous = char;
    index += char.length;
  }
  if (start < text.length) words.push([start, text.length]);
  return words;
}

/** The stretches of [from, to) whose characters share a face. */
function sameFace(faces: number[], from: number, to: number): [number, number][] {
  const stretches: [number, number][] = [];
  for (let index = from; index < to; index += 1) {
    const last = stretches.at(-1);
    if (last && faces[last[0]] === faces[index]) last[1] = index + 1;
    else stretches.push([index, index + 1]);
  }
  return stretches;
}

/**
 * The pieces of the line [from, to) of `text` in the order they are drawn, left to right. A
 * right-to-left stretch is given word by word, last word first, each word as written (with its
 * brackets mirrored): fontkit shapes it and sets its glyphs right to left. Neutral characters alone
 * in such a stretch are set right to left here.
 */
function visualPieces(text: string, faces: number[], levels: EmbeddingLevels, from: number, to: number) {
  const order = Array.from({ length: to - from }, (_, offset) => from + offset);
  for (const [start, end] of bidi.getReorderSegments(text, levels, from, to - 1))
    order.splice(start - from, end - start + 1, ...order.slice(start - from, end - from + 1).reverse());
  const stretches: { indices: number[]; rtl: boolean }[] = [];
  for (const index of order) {
    const last = stretches.at(-1);
    const rtl = levels.levels[index] % 2 === 1;
    const previous = last?.indices.at(-1);
    if (last && last.rtl === rtl && faces[previous!] === faces[index] && index === previous! + (rtl ? -1 : 1)) last.indices.push(index);
    else stretches.push({ indices: [index], rtl });
  }
  return stretches.flatMap(({ indices, rtl }) => {
    const face = faces[indices[0]];
    const written = text.slice(Math.min(...indices), Math.max(...indices) + 1);
    if (!rtl) return [{ text: written, face }];
    const mirrored = [...written].map((char) => bidi.getMirroredCharacter(char) ?? char).join('');
    return mirrored
      .split(/(\s+)/)
      .filter(Boolean)
      .reverse()
      .map((word) => ({ text: hasRightToLeft(word) ? word : [...word].reverse().join(''), face }));
  });
}

/** The places a line may break inside a word: between its graphemes (a letter with its marks, an emoji sequence), in UTF-16 units. */
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * `text` (printable) broken into lines no wider than `width` at the document's font size, each line's
 * pieces ordered for drawing. A word wider than the line begins a line of its own and is broken
 * between its graphemes where a line is full (as pdfkit breaks a word of its own layout): drawn
 * whole, it ran off the page's right edge.
 */
function linesOf(doc: PDFKit.PDFDocument, text: string, weight: Weight, width: number): Line[] {
  const faces = runsOf(text).flatMap((run) => Array.from({ length: run.text.length }, () => run.face));
  const levels = bidi.getEmbeddingLevels(text, 'ltr');
  const measure = (piece: string, face: number) => doc.font(faceName(doc, face, weight)).widthOfString(piece);
  const widthOf = (from: number, to: number) =>
    sameFace(faces, from, to).reduce((sum, [a, b]) => sum + measure(text.slice(a, b), faces[a]), 0);
  const inked = (from: number, to: number) => widthOf(from, from + text.slice(from, to).trimEnd().length);
  const ranges: [number, number][] = [];
  for (const [start, end] of wordsOf(text)) {
    const last = ranges.at(-1);
    // The line with this word, without the spaces after it, fits: the word joins it.
    if (last && widthOf(last[0], start) + inked(start, end) <= width) last[1] = end;
    else ranges.push(...brokenToFit(text, start, end, (from, to) => inked(from, to) <= width));
  }
  return ranges.map(([from, to]) => {
    const pieces = visualPieces(text, faces, levels, from, from + text.slice(from, to).trimEnd().length).map((piece) => ({
      ...piece,
      width: measure(piece.text, piece.face),
    }));
    // DejaVu Sans's always: a line has its height with no piece on it.
    const metrics = [...new Set([0, ...pieces.map((piece) => piece.face)])].map((index) => faceMetrics(doc, index, weight));
    return { pieces, ascent: Math.max(...metrics.map((m) => m.ascent)), below: Math.max(...metrics.map((m) => m.below)) };
  });
}

/** Face `index`'s ascent, and its descent with its line gap, in `weight` at the document's font size, in points. */
function faceMetrics(doc: PDFKit.PDFDocument, index: number, weight: Weight): { ascent: number; below: number } {
  const font = faceAt(index)[weight];
  const scale = (doc as PDFKit.PDFDocument & { _fontSize: number })._fontSize / font.unitsPerEm;
  return { ascent: font.ascent * scale, below: (font.lineGap - font.descent) * scale };
}

/**
 * The most a line `writeText` draws of any of `texts` (a field's label and value) can take, at the document's font
 * size: the tallest ascent and descent of the faces they are written in (DejaVu Sans's at least, whose are pdfkit's
 * line), in either weight. What must stay on a page with such a line (its heading) is kept with it by this.
 */
export function lineHeightFor(doc: PDFKit.PDFDocument, texts: string[]): number {
  const faces = new Set([0, ...texts.flatMap((text) => runsOf(printable(text)).map((run) => run.face))]);
  const metrics = [...faces].flatMap((index) => (['regular', 'bold'] as const).map((weight) => faceMetrics(doc, index, weight)));
  return Math.max(...metrics.map((m) => m.ascent)) + Math.max(...metrics.map((m) => m.below));
}

/**
 * The word [start, end) of `text` in lines that fit (`fits(from, to)`: whether [from, to) fits a
 * line): each the longest run of whole graphemes that fits, at least one; one line if the word fits.
 */
function brokenToFit(text: string, start: number, end: number, fits: (from: number, to: number) => boolean): [number, number][] {
  if (fits(start, end)) return [[start, end]];
  const bounds = [...graphemes.segment(text.slice(start, end))].map(({ index, segment }) => start + index + segment.length);
  // The widths grow with the graphemes taken: the last bound that fits, by halving.
  let [low, high] = [0, bounds.length - 1];
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(start, bounds[middle])) low = middle;
    else high = middle - 1;
  }
  const to = bounds[low];
  return [[start, to], ...brokenToFit(text, to, end, fits)];
}

/** Whether pdfkit writes `text` (printable) as it is: DejaVu Sans has every glyph and no letter is right to left. */
function plain(text: string): boolean {
  return [...text].every((char) => faceHas(0, char)) && !hasRightToLeft(text);
}

/**
 * Where a line `height` points tall that would begin at `y` begins: there, or at the top of the next
 * page when it would reach below the page's bottom margin (as pdfkit's own layout moves a line on).
 * A line taller than a page is drawn at the top of the one it is on.
 */
export function lineTop(doc: PDFKit.PDFDocument, y: number, height: number): number {
  if (y + height <= doc.page.maxY() || y <= doc.page.margins.top) return y;
  doc.continueOnNewPage();
  return doc.y;
}

/**
 * Writes `text` at (x, y) in `weight`, wrapping within `width`, after a bold `label` on its first
 * line if given, at the document's font size; leaves the document's position below it, at `x`. Text
 * DejaVu Sans writes left to right is written with pdfkit's own layout, as schedules were before the
 * other faces came; any other is laid out here, its lines' baselines lowered to the tallest face's.
 * Either way a line that would reach below the bottom margin begins the next page, the label with
 * its first line: the schedule's own layout drew its lines on down past the page's foot. A label
 * wider than two thirds of the line is written on lines of its own, above its value.
 */
export function writeText(
  doc: PDFKit.PDFDocument,
  text: string,
  { x, y, width, weight = 'regular', label }: { x: number; y: number; width: number; weight?: Weight; label?: string },
): void {
  const value = printable(text);
  const lead = label === undefined ? '' : printable(label);
  // The label is one line, its trailing space kept (linesOf leaves a line's trailing spaces out).
  const leading = lead ? linesOf(doc, lead, 'bold', Infinity)[0] : undefined;
  const labelWidth = leading
    ? widthOfPieces(leading) + doc.font(faceName(doc, 0, 'bold')).widthOfString(lead.slice(lead.trimEnd().length))
    : 0;
  if (labelWidth > (width * 2) / 3) {
    // Before its value, a longer label (a rating option's or fee's, up to 200 characters) left the value too narrow a
    // column, or none, and ran off the page's right edge.
    writeText(doc, lead, { x, y, width, weight: 'bold' });
    writeText(doc, value, { x, y: doc.y, width, weight });
    return;
  }
  if (plain(value) && plain(lead)) {
    // pdfkit moves the value's lines on itself, not a label written apart before it.
    const first = lineTop(doc, y, doc.font(faceName(doc, 0, weight)).currentLineHeight(true));
    let indent = 0;
    if (label !== undefined) {
      doc.font(faceName(doc, 0, 'bold')).text(lead, x, first, { lineBreak: false });
      indent = doc.widthOfString(lead);
    }
    doc.font(faceName(doc, 0, weight)).text(value, x + indent, first, { width: width - indent });
    doc.x = x;
    return;
  }
  let top = y;
  linesOf(doc, value, weight, width - labelWidth).forEach((line, number) => {
    const label = number === 0 ? leading : undefined;
    const [ascent, below] = [Math.max(line.ascent, label?.ascent ?? 0), Math.max(line.below, label?.below ?? 0)];
    top = lineTop(doc, top, ascent + below);
    const baseline = top + ascent;
    if (label) drawPieces(doc, label, 'bold', x, baseline);
    drawPieces(doc, line, weight, x + labelWidth, baseline);
    top = baseline + below;
  });
  // What follows (a heading, moveDown) is in DejaVu Sans, as after the plain path.
  doc.font(faceName(doc, 0, weight));
  doc.x = x;
  doc.y = top;
}

const widthOfPieces = (line: Line) => line.pieces.reduce((sum, piece) => sum + piece.width, 0);

/** Draws the line's pieces from `x` on, left to right, on the baseline `baseline`. */
function drawPieces(doc: PDFKit.PDFDocument, line: Line, weight: Weight, x: number, baseline: number): void {
  let left = x;
  for (const piece of line.pieces) {
    doc.font(faceName(doc, piece.face, weight)).text(piece.text, left, baseline, { lineBreak: false, baseline: 'alphabetic' });
    left += piece.width;
  }
}
