// The import graph of the code between top-level folders: each module of src/<folder>/ (or a file
// directly in src/, or jobs/) is a node named by that folder; an import from one folder into another
// is an edge. Imports are read with the TypeScript compiler's own pre-processor (ts.preProcessFile),
// which sees `import`, `import type`, `export ... from` and dynamic `import()` alike.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** The folder a file belongs to: `src/sync/x/y.ts` -> `src/sync`; `src/log.ts` -> `src/log.ts`. */
export function layerOf(root: string, file: string): string | undefined {
  const parts = relative(root, file).split(sep);
  if (parts[0] === 'jobs') return 'jobs';
  if (parts[0] !== 'src' || parts.length < 2) return undefined;
  return `src/${parts[1]}`;
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `from` -> set of `to` folders, with one file that makes each edge (for the message). */
export type LayerGraph = Map<string, Map<string, string>>;

export function layerGraph(root: string): LayerGraph {
  const graph: LayerGraph = new Map();
  for (const file of [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'jobs'))]) {
    const from = layerOf(root, file);
    if (!from) continue;
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const to = layerOf(root, resolve(dirname(file), fileName));
      if (to && to !== from && !edges.has(to))
        edges.set(to, `${relative(root, file)} imports ${fileName}`);
    }
  }
  return graph;
}

/** Every cycle between folders, each as the path of edges that closes it (one per cycle found). */
export function layerCycles(graph: LayerGraph): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const onPath: string[] = [];
  const visit = (node: string) => {
    if (onPath.includes(node)) {
      const loop = [...onPath.slice(onPath.indexOf(node)), node];
      cycles.push(loop.slice(1).map((to, i) => graph.get(loop[i]!)!.get(to)!));
      return;
    }
    if (seen.has(node)) return;
    seen.add(node);
    onPath.push(node);
    for (const to of graph.get(node)?.keys() ?? []) visit(to);
    onPath.pop();
  };
  for (const node of [...graph.keys()].sort()) visit(node);
  return cycles;
}
