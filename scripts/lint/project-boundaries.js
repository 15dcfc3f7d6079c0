// ESLint rule `project/boundaries`: the domains of lib/ and how they may import each other.
//
// - A domain is a folder of lib/. Its modules import each other directly; anything outside it (other
//   domains, functions/) imports only its public surface: lib/<domain>/index.ts, and for AWS
//   adapters loaded on first use, lib/<domain>/aws.ts (a barrel's chunk holds every module it
//   re-exports, so adapters in index.ts would load at every cold start).
// - Domains import in one direction, in DOMAINS order: a module imports only from its own domain and
//   those before it, so lib/shared stands alone and nothing depends on what sits above it.
// Tests and scripts may reach inside a domain (unit tests mirror lib/).
import { dirname, relative, resolve, sep } from 'node:path';

/** The domains of lib/, lowest first. */
export const DOMAINS = ['shared', 'detection', 'ingestion', 'pipeline', 'delivery', 'config', 'tooling'];

const root = resolve(import.meta.dirname, '../..');

/** The files of a domain that others may import. */
const SURFACES = ['index.ts', 'aws.ts'];

/** `lib/<domain>/...` as [domain, path inside lib/<domain>], `functions` for functions/, else undefined. */
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
    docs: { description: 'lib/ domains import each other only through index.ts, and in one direction' },
    messages: {
      internal: 'import lib/{{domain}} through its public surface, lib/{{domain}}/index.ts, not {{path}}',
      upward: 'lib/{{from}} may not import lib/{{to}}: domains import only those before them ({{order}})',
      unknown:
        'lib/{{domain}} is not a known domain ({{order}}): add it to DOMAINS in scripts/lint/project-boundaries.js',
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
      if (to === undefined || to.domain === from.domain) return;
      if (!DOMAINS.includes(to.domain)) {
        context.report({ node, messageId: 'unknown', data: { domain: to.domain, order } });
        return;
      }
      if (!SURFACES.includes(to.rest)) {
        context.report({
          node,
          messageId: 'internal',
          data: { domain: to.domain, path: `lib/${to.domain}/${to.rest}` },
        });
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
