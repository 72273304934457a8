// The one question about a body that OpenFn's real compiler cannot answer (lightning-worker.test.ts
// asks it everything else): does our own code use a global that the job's sandbox lacks? The
// runtime runs a job in a vm context holding only ECMAScript built-ins and the globals it adds
// (@openfn/runtime src/execute/context.ts), so e.g. `process` or `fetch` in src/ would work in
// tests and fail on OpenFn.org only on the path that touches it.
import vm from 'node:vm';
import { parse, type Node } from 'acorn';
import { ancestor, simple } from 'acorn-walk';

/** Globals the runtime puts into a job's context (@openfn/runtime src/execute/context.ts). */
const RUNTIME_GLOBALS = [
  'console',
  'clearInterval',
  'clearTimeout',
  'parseFloat',
  'parseInt',
  'setInterval',
  'setTimeout',
  'state',
  'Buffer',
];
const REALM_GLOBALS: string[] = vm.runInContext(
  'Object.getOwnPropertyNames(globalThis)',
  vm.createContext({}),
);

type AnyNode = Node & Record<string, any>;

/**
 * One line per global that our modules (not npm packages, which probe for optional globals
 * behind guards) use although the sandbox lacks it and the adaptor does not export it.
 */
export function sandboxGlobalProblems(body: string, adaptorExports: readonly string[]): string[] {
  const program = parse(body, { ecmaVersion: 'latest', sourceType: 'module' }) as AnyNode;
  // esbuild opens each inlined module with a `// <path>` line; globals are judged per module.
  const modules = [...body.matchAll(/^\/\/ ((?:\S*node_modules|src|jobs|test)\/\S+)$/gm)].map(
    (m) => ({ start: m.index ?? 0, path: m[1] ?? '' }),
  );
  const moduleAt = (position: number) =>
    modules.filter((m) => m.start <= position).at(-1)?.path ?? '(body)';
  const declared = new Set<string>();
  const referenced = new Map<string, Set<string>>();
  // acorn-walk visits binding names as the pseudo-type VariablePattern, missing from its types.
  const bindingVisitors = {
    VariablePattern(node: AnyNode) {
      declared.add(node.name);
    },
    ImportSpecifier(node: AnyNode) {
      declared.add(node.local.name);
    },
    ImportDefaultSpecifier(node: AnyNode) {
      declared.add(node.local.name);
    },
    ImportNamespaceSpecifier(node: AnyNode) {
      declared.add(node.local.name);
    },
  };
  simple(program, bindingVisitors as Parameters<typeof simple>[1]);
  ancestor(program, {
    Identifier(node: AnyNode, _state: unknown, ancestors: AnyNode[]) {
      const parent = ancestors.at(-2);
      // `typeof x` is how portable code probes for a global; it never throws.
      if (parent?.type === 'UnaryExpression' && parent.operator === 'typeof') return;
      const where = referenced.get(node.name) ?? new Set<string>();
      where.add(moduleAt(node.start));
      referenced.set(node.name, where);
    },
  });

  const problems: string[] = [];
  const missing = [...referenced.keys()].filter(
    (name) =>
      !declared.has(name) &&
      !adaptorExports.includes(name) &&
      !REALM_GLOBALS.includes(name) &&
      !RUNTIME_GLOBALS.includes(name) &&
      name !== 'arguments',
  );
  for (const name of missing.sort()) {
    const ours = [...(referenced.get(name) ?? [])].filter((path) => !/node_modules\//.test(path));
    if (ours.length > 0) {
      problems.push(
        `uses the global ${name} (in ${ours.join(', ')}), which does not exist in OpenFn's job sandbox`,
      );
    }
  }
  return problems;
}
