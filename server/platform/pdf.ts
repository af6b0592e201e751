import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

/**
 * The CJK font of every PDF we write (Noto Sans Hans Regular, from an npm package), parsed once per process on first
 * use and subset by pdfkit into each document, so the output never depends on the host's fonts and stays small.
 * Register it with `doc.registerFont(name, cjkFont() as unknown as Buffer)`.
 */
const requireCjs = createRequire(import.meta.url);

type FontObject = { layout: (...args: unknown[]) => unknown };
let font: FontObject | undefined;

export function cjkFont(): FontObject {
  if (font) return font;
  const dir = path.join(path.dirname(requireCjs.resolve('@embedpdf/fonts-sc')), '../fonts');
  // the fontkit pdfkit itself uses: a parsed font object is shared by every document (pdfkit subsets it per document)
  const fontkit = createRequire(requireCjs.resolve('pdfkit'))('fontkit') as { create: (b: Buffer) => FontObject };
  font = fontkit.create(fs.readFileSync(path.join(dir, 'NotoSansHans-Regular.otf')));
  return font;
}
