// Dependencies between the top-level folders point one way (docs/architecture.md, "Layers"): jobs/
// on top, then the sync, the workflow, and the clients, model and mapping below. A cycle between
// two folders means neither can be read, tested or changed without the other.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { layerCycles, layerGraph } from './import-graph.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'import-graph-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('imports between top-level folders', () => {
  it('form no cycle in src/ and jobs/', () => {
    expect(layerCycles(layerGraph(ROOT))).toEqual([]);
  });

  it('leave jobs/ on top: no module of src/ imports a job, but the CLI that wires them in', () => {
    const importers = [...layerGraph(ROOT)].filter(
      ([from, edges]) => from !== 'src/cli' && edges.has('jobs'),
    );
    expect(importers.map(([from, edges]) => edges.get('jobs') ?? from)).toEqual([]);
  });

  it('see a cycle made by a type import, a re-export or a dynamic import', () => {
    const root = tree({
      'src/a/one.ts': "import type { B } from '../b/two.ts';\nexport type A = B;\n",
      'src/b/two.ts': "export * from '../c/three.ts';\nexport type B = string;\n",
      'src/c/three.ts': "export const load = () => import('../a/one.ts');\n",
      'src/d/alone.ts': "import { load } from '../c/three.ts';\nexport const x = load;\n",
    });
    expect(layerCycles(layerGraph(root))).toEqual([
      [
        'src/a/one.ts imports ../b/two.ts',
        'src/b/two.ts imports ../c/three.ts',
        'src/c/three.ts imports ../a/one.ts',
      ],
    ]);
  });
});
