// What Lightning's compiler (@openfn/compiler, not installable here) would do to a body, and what
// would break on OpenFn.org, from the rules in openfn.md §6:
// - lazy-state rewrites any `$` identifier; promises wraps top-scope `.then/.catch` chains;
// - top-level-operations moves top-level call statements into `export default [ ... ]`;
// - add-imports imports every dangling identifier that the adaptor exports;
// - the job then runs in a vm context holding only ECMAScript built-ins and the runtime's globals.
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

export interface LightningCompile {
  /** The module source Lightning would hand to the runtime. */
  source: string;
  /** Everything that would change the body's meaning or fail on OpenFn.org; empty when safe. */
  problems: string[];
  /** Adaptor exports Lightning would import because the body leaves them undeclared. */
  addedImports: string[];
}

type AnyNode = Node & Record<string, any>;

export function compileLikeLightning(
  body: string,
  adaptor: { name: string; exports: readonly string[] },
): LightningCompile {
  const problems: string[] = [];
  const program = parse(body, { ecmaVersion: 'latest', sourceType: 'module' }) as AnyNode;
  try {
    parse(body, { ecmaVersion: 2020, sourceType: 'module' });
  } catch (error) {
    problems.push(`not ES2020 syntax: ${(error as Error).message}`);
  }

  const statements = program.body as AnyNode[];
  // The worker links the collections adaptor into any step whose body mentions `collections.`.
  const linked = /collections\./.test(body)
    ? [adaptor.name, '@openfn/language-collections']
    : [adaptor.name];
  for (const statement of statements) {
    if (statement.type === 'ImportDeclaration' && !linked.includes(statement.source.value)) {
      problems.push(`imports ${statement.source.value}`);
    }
    if (statement.type === 'ExportAllDeclaration' && statement.source.value !== adaptor.name) {
      problems.push(`re-exports ${statement.source.value}`);
    }
    if (statement.type === 'ExportNamedDeclaration') problems.push('has a named export');
  }
  const last = statements.at(-1);
  if (last?.type !== 'ExportDefaultDeclaration' || last.declaration.type !== 'Identifier') {
    problems.push('does not end in `export default <identifier>`');
  }
  if (!statements.some((s) => s.type === 'ExportAllDeclaration')) {
    problems.push(`has no export * from '${adaptor.name}' (the adaptor's execute would not run)`);
  }

  // esbuild opens each inlined module with a `// <path>` line; globals are judged per module.
  const modules = [...body.matchAll(/^\/\/ ((?:node_modules|src|jobs|test)\/\S+)$/gm)].map((m) => ({
    start: m.index ?? 0,
    path: m[1] ?? '',
  }));
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
      // `typeof x` is how portable packages probe for a global; it never throws.
      if (parent?.type === 'UnaryExpression' && parent.operator === 'typeof') return;
      const where = referenced.get(node.name) ?? new Set<string>();
      where.add(moduleAt(node.start));
      referenced.set(node.name, where);
    },
  });
  if (declared.has('$') || referenced.has('$')) {
    problems.push('uses the identifier $ (Lightning rewrites it as lazy state)');
  }
  ancestor(program, {
    CallExpression(node: AnyNode, _state: unknown, ancestors: AnyNode[]) {
      const name =
        node.callee?.type === 'MemberExpression' ? node.callee.property?.name : undefined;
      if (name !== 'then' && name !== 'catch') return;
      const nested = ancestors.some((a) =>
        [
          'ArrowFunctionExpression',
          'FunctionExpression',
          'FunctionDeclaration',
          'BlockStatement',
        ].includes(a.type),
      );
      if (!nested)
        problems.push(`has a top-scope .${name}() chain (Lightning would wrap it in defer)`);
    },
  });

  const dangling = [...referenced.keys()].filter((name) => !declared.has(name));
  const addedImports = dangling.filter((name) => adaptor.exports.includes(name)).sort();
  const missing = dangling.filter(
    (name) =>
      !adaptor.exports.includes(name) &&
      !REALM_GLOBALS.includes(name) &&
      !RUNTIME_GLOBALS.includes(name) &&
      name !== 'arguments',
  );
  for (const name of missing.sort()) {
    // npm packages probe for optional globals behind guards acorn cannot follow; the runtime run
    // of the body covers them. Our own modules must not touch a global the sandbox lacks.
    const ours = [...(referenced.get(name) ?? [])].filter(
      (path) => !path.startsWith('node_modules/'),
    );
    if (ours.length > 0) {
      problems.push(
        `uses the global ${name} (in ${ours.join(', ')}), which does not exist in OpenFn's job sandbox`,
      );
    }
  }

  const source =
    addedImports.length > 0
      ? `import { ${addedImports.join(', ')} } from '${adaptor.name}';\n${body}`
      : body;
  return { source, problems, addedImports };
}
