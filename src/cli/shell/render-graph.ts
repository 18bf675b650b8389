import type { Graphviz } from '@hpcc-js/wasm-graphviz';

/**
 * Graphviz compiled to WebAssembly: the same layout everywhere, with no system Graphviz. Loaded
 * on first use only (the other commands never pay for it), once per process.
 */
let graphviz: Promise<Graphviz> | undefined;

export async function dotToSvg(dot: string): Promise<string> {
  graphviz ??= import('@hpcc-js/wasm-graphviz').then((m) => m.Graphviz.load());
  return (await graphviz).dot(dot, 'svg');
}

/** PNG at twice the SVG's size, so that text stays sharp; fonts come from the system (DejaVu). */
export async function svgToPng(svg: string): Promise<Buffer> {
  const { Resvg } = await import('@resvg/resvg-js');
  const image = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } });
  return image.render().asPng();
}
