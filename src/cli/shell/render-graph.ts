import { Graphviz } from '@hpcc-js/wasm-graphviz';
import { Resvg } from '@resvg/resvg-js';

/**
 * Graphviz compiled to WebAssembly: the same layout everywhere, with no system Graphviz. The
 * module is loaded once per process (a few MB of WASM), on first use.
 */
let graphviz: Promise<Graphviz> | undefined;

export async function dotToSvg(dot: string): Promise<string> {
  graphviz ??= Graphviz.load();
  return (await graphviz).dot(dot, 'svg');
}

/** PNG at twice the SVG's size, so that text stays sharp; fonts come from the system (DejaVu). */
export function svgToPng(svg: string): Buffer {
  const image = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } });
  return image.render().asPng();
}
