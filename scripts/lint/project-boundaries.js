// ESLint rule `project/boundaries`: the domains of lib/ import each other in one direction.
//
// A domain is a folder of lib/. A module imports only from its own domain and those before it in
// DOMAINS, so lib/shared stands alone and nothing depends on what sits above it; functions/ may
// import any domain. Modules are imported directly, not through index.ts barrels: esbuild places a
// module in the chunks of every entry that reaches it, and a barrel reaches every module it
// re-exports, so barrels would load at start what a function or command only loads on demand.
import { dirname, relative, resolve, sep } from 'node:path';

/** The domains of lib/, lowest first. */
export const DOMAINS = ['shared', 'detection', 'ingestion', 'archive', 'pipeline', 'delivery', 'config', 'tooling'];

const root = resolve(import.meta.dirname, '../..');

/** `lib/<domain>/...` as its domain and the path inside it, `functions` for functions/, else undefined. */
function placeOf(file) {
  const parts = relative(root, file).split(sep);
  if (parts[0] === 'functions') return { domain: 'functions', rest: parts.slice(1).join('/') };
  if (parts[0] === 'lib' && parts.length > 2) return { domain: parts[1], rest: parts.slice(2).join('/') };
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
export const boundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'lib/ domains import each other in one direction, without barrels' },
    messages: {
      upward: 'lib/{{from}} may not import lib/{{to}}: domains import only those before them ({{order}})',
      unknown:
        'lib/{{domain}} is not a known domain ({{order}}): add it to DOMAINS in scripts/lint/project-boundaries.js',
      barrel: 'no index.ts barrels in lib/: import the module itself (see scripts/lint/project-boundaries.js)',
    },
    schema: [],
  },
  create(context) {
    const from = placeOf(context.filename);
    if (from === undefined) return {};
    const order = DOMAINS.join(' < ');
    const check = (node, specifier) => {
      if (typeof specifier !== 'string' || !specifier.startsWith('.')) return;
      const to = placeOf(resolve(dirname(context.filename), specifier));
      if (to === undefined || to.domain === 'functions') return;
      if (to.rest === 'index.ts' || to.rest.endsWith('/index.ts')) context.report({ node, messageId: 'barrel' });
      if (to.domain === from.domain) return;
      if (!DOMAINS.includes(to.domain)) {
        context.report({ node, messageId: 'unknown', data: { domain: to.domain, order } });
        return;
      }
      if (from.domain !== 'functions' && DOMAINS.indexOf(to.domain) > DOMAINS.indexOf(from.domain)) {
        context.report({ node, messageId: 'upward', data: { from: from.domain, to: to.domain, order } });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};
