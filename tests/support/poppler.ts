/**
 * poppler-utils (Debian package), with which the policy schedule tests read a PDF's text
 * (`pdftotext`), list its fonts (`pdffonts`) and draw its pages (`pdftoppm`), as a person opening it would see them.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { onPath, type RequiredTool } from './required-tool';

const run = promisify(execFile);

/** pdftotext, pdffonts and pdftoppm as the schedule tests need them: skipped without them on a developer's machine, a failure in CI. */
export function popplerTool(): RequiredTool {
  return {
    name: 'poppler-utils (pdftotext, pdffonts, pdftoppm)',
    path: onPath('pdftotext') && onPath('pdffonts') && onPath('pdftoppm'),
    install: 'bash scripts/setup.sh installs the Debian package poppler-utils (as root, with apt-get)',
  };
}

/** The PDF's text in reading order (`pdftotext -layout`), with runs of spaces made one. */
export async function pdfText(pdf: Buffer): Promise<string> {
  return withFile(pdf, async (file) => {
    const { stdout } = await run('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-']);
    return stdout.replace(/[ \t]+/g, ' ');
  });
}

/** A word pdftotext reads, on its page (from 1), with its box in points from the page's top left corner. */
export interface PdfWord {
  page: number;
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

/** The PDF's pages' sizes and the words on them (`pdftotext -bbox`), in reading order; text drawn off a page is not read. */
export async function pdfWords(pdf: Buffer): Promise<{ pages: { width: number; height: number }[]; words: PdfWord[] }> {
  return withFile(pdf, async (file) => {
    const { stdout } = await run('pdftotext', ['-bbox', '-enc', 'UTF-8', file, '-']);
    const pages: { width: number; height: number }[] = [];
    const words: PdfWord[] = [];
    const entity = (text: string) =>
      text.replace(/&(lt|gt|quot|apos|amp);/g, (_, name: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[name]!);
    for (const [, tag, attributes, text] of stdout.matchAll(/<(page|word) ([^>]*)>([^<]*)/g)) {
      const number = (name: string) => Number(new RegExp(`${name}="([^"]+)"`).exec(attributes)![1]);
      if (tag === 'page') pages.push({ width: number('width'), height: number('height') });
      else
        words.push({
          page: pages.length,
          text: entity(text),
          xMin: number('xMin'),
          yMin: number('yMin'),
          xMax: number('xMax'),
          yMax: number('yMax'),
        });
    }
    return { pages, words };
  });
}

/** The fonts the PDF uses (`pdffonts`): each one's name and whether its glyphs are in the file. */
export async function pdfFonts(pdf: Buffer): Promise<{ name: string; embedded: boolean }[]> {
  return withFile(pdf, async (file) => {
    const { stdout } = await run('pdffonts', [file]);
    // Two heading lines; then a row a font: name, type words, encoding, then emb sub uni (yes/no) and the object's ID.
    return stdout
      .split('\n')
      .slice(2)
      .filter((row) => row.trim())
      .map((row) => {
        const cells = row.trim().split(/\s+/);
        return { name: cells[0], embedded: cells.at(-5) === 'yes' };
      });
  });
}

/** A page drawn as a PNG, and the share of its pixels that are not white (0: a blank page). */
export async function drawnPage(pdf: Buffer, page = 1): Promise<{ png: Buffer; inkShare: number }> {
  return withFile(pdf, async (file) => {
    const dir = path.dirname(file);
    const pageArgs = ['-f', String(page), '-l', String(page), '-r', '50', '-singlefile'];
    await run('pdftoppm', [...pageArgs, '-png', file, path.join(dir, 'page')]);
    // The same page as a grey map (PGM: a text header, then one byte per pixel) to count its ink.
    await run('pdftoppm', [...pageArgs, '-gray', file, path.join(dir, 'grey')]);
    const grey = await fs.readFile(path.join(dir, 'grey.pgm'));
    const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(grey.subarray(0, 50).toString('latin1'))!;
    const pixels = grey.subarray(header[0].length);
    const inked = pixels.filter((value) => value < 200).length;
    return { png: await fs.readFile(path.join(dir, 'page.png')), inkShare: inked / pixels.length };
  });
}

async function withFile<T>(pdf: Buffer, use: (file: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'insurflow-pdf-'));
  try {
    const file = path.join(dir, 'document.pdf');
    await fs.writeFile(file, pdf);
    return await use(file);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
