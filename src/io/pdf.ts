/**
 * Vector PDF from an SVG figure (Vega's headless SVG): PDFKit draws it through svg-to-pdfkit,
 * with DejaVu Sans embedded from the `dejavu-fonts-ttf` package, so α, ε, σ², → ∞ come out as
 * text on any machine (PDF's built-in Helvetica has no Greek, and system fonts may be absent).
 * Loaded on first use, like the PNG renderer.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The font files: regular, bold, italic, bold italic. */
function dejavu(): Record<string, string> {
  const dir = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf').replace(/DejaVuSans\.ttf$/, '');
  return { regular: `${dir}DejaVuSans.ttf`, bold: `${dir}DejaVuSans-Bold.ttf`, italic: `${dir}DejaVuSans-Oblique.ttf`, boldItalic: `${dir}DejaVuSans-BoldOblique.ttf` };
}

/** The SVG's own size in CSS pixels (Vega writes width and height on the root element). */
export function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const width = Number(/\bwidth="([\d.]+)/.exec(root)?.[1]), height = Number(/\bheight="([\d.]+)/.exec(root)?.[1]);
  if (!(width > 0 && height > 0)) throw new Error('svgToPdf: the SVG has no width and height');
  return { width, height };
}

let measurer: PDFKit.PDFDocument | undefined;

/** Width in px of a text in DejaVu Sans (the font of the PNG and the PDF), for Vega's layout (renderSvg). */
export function dejavuTextWidth(text: string, fontSize: number, bold: boolean): number {
  if (!measurer) {
    const PDFDocument = require('pdfkit') as typeof import('pdfkit');
    measurer = new PDFDocument({ autoFirstPage: false });
    for (const [name, file] of Object.entries(dejavu())) measurer.registerFont(name, file);
  }
  return measurer.font(bold ? 'bold' : 'regular').fontSize(fontSize).widthOfString(text);
}

/** A one-page PDF of the figure at its own size (1 px = 0.75 pt), text as text. */
export async function svgToPdf(svg: string): Promise<Uint8Array> {
  const PDFDocument = require('pdfkit') as typeof import('pdfkit');
  const SVGtoPDF = require('svg-to-pdfkit') as (doc: PDFKit.PDFDocument, svg: string, x: number, y: number, o: object) => void;
  const { width, height } = svgSize(svg);
  const doc = new PDFDocument({ size: [width * 0.75, height * 0.75], margin: 0, info: { Producer: 'onepass', Creator: 'onepass' } });
  const fonts = dejavu();
  for (const [name, file] of Object.entries(fonts)) doc.registerFont(name, file);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => { doc.on('end', () => resolve()); doc.on('error', reject); });
  SVGtoPDF(doc, svg, 0, 0, {
    width: width * 0.75, height: height * 0.75,
    fontCallback: (_family: string, bold: boolean, italic: boolean) => (bold ? (italic ? 'boldItalic' : 'bold') : italic ? 'italic' : 'regular'),
  });
  doc.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}
