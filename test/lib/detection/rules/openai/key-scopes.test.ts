import { describe, expect, it } from 'vitest';
import { runRule } from '../../../../../lib/detection/engine/run-rule.ts';
import { normalizeAuditEvent } from '../../../../../lib/detection/openai/normalize.ts';
import { createApiKeyAnomalousActivityRule } from '../../../../../lib/detection/rules/openai/api-key-anomalous-activity.ts';
import { DEFAULT_SCOPE_POLICY } from '../../../../../lib/detection/rules/openai/default-scope-policy.ts';
import {
  flattenedScopes,
  keyPermissions,
  readScopes,
  SCOPE_READ_LIMITS,
} from '../../../../../lib/detection/rules/openai/key-scopes.ts';
import { compileScopePolicy, elevatedScopes } from '../../../../../lib/detection/rules/openai/scope-policy.ts';

const created = (payload: unknown) =>
  normalizeAuditEvent({ id: 'e', type: 'api_key.created', 'api_key.created': payload });
const updated = (payload: unknown) =>
  normalizeAuditEvent({ id: 'e', type: 'api_key.updated', 'api_key.updated': payload });

describe('flattenedScopes', () => {
  it.each([
    ['api.model.read,all', ['api.model.read', 'all']],
    ['api.model.read, all', ['api.model.read', 'all']],
    ['api.model.read all\tadmin', ['api.model.read', 'all', 'admin']],
    ['["api.model.read","all"]', ['api.model.read', 'all']],
    [' [ "all" ] ', ['all']],
    ['all', ['all']],
    ['', []],
    ['   ', []],
    ['[]', []],
    // A JSON array of numbers holds no scope; brackets are separators even when unbalanced.
    ['[1,2]', []],
    ['[all', ['all']],
  ])('reads %j as %j', (text, scopes) => {
    expect(flattenedScopes(text)).toEqual(scopes);
  });
});

const policy = compileScopePolicy(DEFAULT_SCOPE_POLICY);
const elevated = (value: unknown) => elevatedScopes(readScopes(value), policy).map(({ scope }) => scope);

describe('readScopes: flattened and disguised forms', () => {
  it.each<[string, unknown, string[]]>([
    // Go's fmt of a []string.
    ["Go's fmt, one scope", '[all]', ['all']],
    ["Go's fmt, two scopes", '[all api.model.read]', ['all', 'api.model.read']],
    // Python's repr of a list.
    ["Python's repr", "['all', 'api.model.read']", ['all', 'api.model.read']],
    ["Python's repr, double quotes", '["api.model.read", "all"]', ['api.model.read', 'all']],
    // An array flattened to an object with index keys, also as JSON text.
    ['index-keyed object', { '0': 'all' }, ['all']],
    ['index-keyed object, index order', { '1': 'all', '0': 'api.model.read' }, ['api.model.read', 'all']],
    ['index-keyed object as JSON text', '{"0":"all","1":"api.model.read"}', ['all', 'api.model.read']],
    // Lists of lists.
    ['nested list', [['all']], ['all']],
    ['list of lists', [['api.model.read'], ['all']], ['api.model.read', 'all']],
    ['nested index-keyed object', [{ '0': 'all' }], ['all']],
    ['JSON text of a nested list', '[["all"]]', ['all']],
    ['JSON text inside a list', ['["api.model.read","all"]'], ['api.model.read', 'all']],
    // Separators.
    ['semicolons', 'api.model.read;all', ['api.model.read', 'all']],
    ['pipes', 'all|x', ['all', 'x']],
    ['mixed separators', 'a; b | c,d e', ['a', 'b', 'c', 'd', 'e']],
    ['separators inside a list entry', ['api.model.read;all'], ['api.model.read', 'all']],
    // Quotes around items.
    ['double quotes', '"all"', ['all']],
    ['single quotes in a list', ["'all'"], ['all']],
    ['backticks', '`all`', ['all']],
    ['typographic quotes', '\u201call\u201d', ['all']],
    ['quotes and spaces', "[ ' all ' ]", ['all']],
    // Zero-width and other invisible characters, inside or around.
    ['zero-width space inside', 'a\u200bll', ['all']],
    ['zero-width space inside, in a list', ['a\u200bll'], ['all']],
    ['zero-width joiner, word joiner', 'a\u200dl\u2060l', ['all']],
    ['soft hyphen', 'al\u00adl', ['all']],
    ['BOM and zero-width around', '\ufeff\u200ball\u200c', ['all']],
    ['bidi controls', '\u202eall\u202c', ['all']],
    ['tag characters', 'all\u{e0061}', ['all']],
    ['zero-width inside a JSON escape', '["a\\u200bll"]', ['all']],
    // NBSP is whitespace: around an item it is trimmed, between items it separates.
    ['NBSP between items', 'api.model.read\u00a0all', ['api.model.read', 'all']],
    ['NBSP around a quoted item', "['\u00a0all\u00a0']", ['all']],
    ['ideographic space between items', 'api.model.read\u3000all', ['api.model.read', 'all']],
    // Full-width and other compatibility forms (NFKC).
    ['full-width letters', '\uff41\uff4c\uff4c', ['all']],
    ['full-width capitals', ['\uff21\uff2c\uff2c'], ['ALL']],
    ['full-width brackets and comma', '\uff3b\uff41\uff4c\uff4c\uff0c\uff58\uff3d', ['all', 'x']],
    ['full-width letters as JSON escapes', '["\\uff41\\uff4c\\uff4c"]', ['all']],
    ['all of it at once', '{"0": "[\'x\'; \'\uff41\u200b\uff4c\uff4c\']"}', ['x', 'all']],
  ])('%s: %j reads as %j', (_form, value, scopes) => {
    expect(readScopes(value)).toEqual(scopes);
  });

  it.each<[string, unknown]>([
    ['Go fmt', '[all api.model.read]'],
    ['Python repr', "['api.model.read', 'all']"],
    ['index-keyed object', { '0': 'api.model.read', '1': 'all' }],
    ['nested list', [['all']]],
    ['semicolons', 'api.model.read;all'],
    ['pipes', 'all|x'],
    ['quotes', ['"all"']],
    ['zero-width', 'a\u200bll'],
    ['NBSP', '\u00a0all\u00a0'],
    ['full-width', '\uff41\uff4c\uff4c'],
    ['full-width capitals', '\uff21\uff2c\uff2c'],
  ])('the policy finds "all" in the %s form %j', (_form, value) => {
    expect(elevated(value).map((scope) => scope.trim().toLowerCase())).toEqual(['all']);
  });

  it.each<[string, unknown]>([
    ['a longer word', 'allow'],
    ['a longer word ending in all', 'small'],
    ['an ordinary scope alone', 'api.model.read'],
    ['all as part of a dotted scope', 'api.all.read'],
    ['a longer word once a zero-width space is stripped', 'a\u200bllow'],
    ['a longer word once a zero-width space is stripped, ending in all', 'sm\u200ball'],
    ['a longer word once a soft hyphen is stripped', 'all\u00adow'],
    ['all split by NBSP', 'a\u00a0ll'],
    ['a full-width longer word', '\uff53\uff4d\uff41\uff4c\uff4c'],
    ["Go's fmt of longer words", '[allow small]'],
    ["Python's repr of longer words", "['allow', 'small']"],
    ['quoted longer word', '"allow"'],
    ['index-keyed object of a longer word', { '0': 'allow' }],
    ['nested ordinary scope', [['api.model.read']]],
    ['all beyond the nesting depth', [[[[['all']]]]]],
    ['all under a key that is not an index', { scope: 'all' }],
    ['an object mixing index and other keys', { '0': 'all', name: 'x' }],
    ['all in a nested list beside strings', ['api.model.read', ['all']]],
  ])('%s (%j) is not elevated', (_form, value) => {
    expect(elevated(value)).toEqual([]);
  });

  it('keeps a string that is one scope as it stands as given (the policy trims it)', () => {
    expect(readScopes(['  Admin '])).toEqual(['  Admin ']);
    expect(readScopes('\u00a0all\u00a0')).toEqual(['\u00a0all\u00a0']);
    expect(readScopes('all')).toEqual(['all']);
  });

  it('skips non-strings and blanks, and lists beside strings', () => {
    expect(readScopes([null, 42, true, { scope: 'all' }, ['admin'], 'api_keys:write'])).toEqual(['api_keys:write']);
    expect(readScopes(['', ' ', '\u200b', "''"])).toEqual([]);
    expect(readScopes(7)).toEqual([]);
    expect(readScopes(null)).toEqual([]);
    expect(readScopes({})).toEqual([]);
    expect(readScopes('{}')).toEqual(['{}']);
  });

  it('reads lists nested up to the depth bound, written or encoded', () => {
    expect(SCOPE_READ_LIMITS.depth).toBe(4);
    expect(readScopes([[[['all']]]])).toEqual(['all']);
    expect(readScopes([[[[['all']]]]])).toEqual([]);
    expect(readScopes({ '0': { '0': { '0': { '0': 'all' } } } })).toEqual(['all']);
    expect(readScopes({ '0': { '0': { '0': { '0': { '0': 'all' } } } } })).toEqual([]);
    // JSON inside a string counts as the nesting it writes.
    expect(readScopes([[['["all"]']]])).toEqual(['all']);
    expect(readScopes([[[['["all"]']]]])).toEqual([]);
    expect(readScopes(['[[["all"]]]'])).toEqual(['all']);
    expect(readScopes(['[[[["all"]]]]'])).toEqual([]);
    expect(readScopes('[[[["all"]]]]')).toEqual(['all']);
  });

  it('reads items up to a bound no queue message reaches, so filler never hides a scope', () => {
    const { items } = SCOPE_READ_LIMITS;
    expect(items).toBeGreaterThanOrEqual(256 * 1024);
    const filler = Array.from({ length: items - 1 }, (_, i) => `s${i}`);
    expect(readScopes([...filler, 'all']).at(-1)).toBe('all');
    expect(readScopes([...filler, 'x', 'all'])).toHaveLength(items);
    expect(readScopes([...filler, 'x', 'all'])).not.toContain('all');
    // Entries that yield no scope count too.
    expect(readScopes([...Array.from({ length: items }, () => null), 'all'])).toEqual([]);
    // 10,000 scopes, the elevated one last: read.
    expect(readScopes([...filler.slice(0, 10_000), 'all']).at(-1)).toBe('all');
  });

  it('reads characters up to a bound no queue message reaches, and never the cut end of a word', () => {
    const { characters } = SCOPE_READ_LIMITS;
    expect(characters).toBeGreaterThanOrEqual(256 * 1024);
    const long = 'y'.repeat(characters - 4);
    const lengths = (value: unknown) => readScopes(value).map((scope) => (scope === long ? 'long' : scope));
    // The cut falls right after "all" of "allow": the cut part is dropped, not read as "all".
    expect(lengths(`${long},allow`)).toEqual(['long']);
    // The budget is shared by the list's strings: one character is left for "all", which is dropped.
    expect(lengths([`${long},al`, 'all'])).toEqual(['long', 'al']);
    expect(lengths([long, 'all'])).toEqual(['long', 'all']);
  });
});

describe('keyPermissions', () => {
  it('reads an empty or missing scope list on a created key as unrestricted', () => {
    expect(keyPermissions(created({ id: 'k', data: { scopes: [] } }))).toEqual({ kind: 'unrestricted', scopes: [] });
    expect(keyPermissions(created({ id: 'k', data: {} }))).toEqual({ kind: 'unrestricted', scopes: [] });
    expect(keyPermissions(created({ id: 'k', data: { scopes: null } }))).toEqual({ kind: 'unrestricted', scopes: [] });
    expect(keyPermissions(created({ id: 'k', data: { scopes: '' } }))).toEqual({ kind: 'unrestricted', scopes: [] });
    expect(keyPermissions(created({ id: 'k', data: { scopes: '[]' } }))).toEqual({ kind: 'unrestricted', scopes: [] });
    // Blank once hidden characters are gone, or an empty list in full-width brackets.
    expect(keyPermissions(created({ id: 'k', data: { scopes: '[ ]' } }))).toEqual({ kind: 'unrestricted', scopes: [] });
    expect(keyPermissions(created({ id: 'k', data: { scopes: '\u200b' } }))).toEqual({
      kind: 'unrestricted',
      scopes: [],
    });
    expect(keyPermissions(created({ id: 'k', data: { scopes: '\uff3b\uff3d' } }))).toEqual({
      kind: 'unrestricted',
      scopes: [],
    });
  });

  it('reads disguised scopes in created and updated keys', () => {
    expect(keyPermissions(created({ id: 'k', data: { scopes: "['api.model.read', 'a\u200bll']" } }))).toEqual({
      kind: 'scoped',
      scopes: ['api.model.read', 'all'],
    });
    expect(keyPermissions(created({ id: 'k', data: { scopes: { '0': '\uff41\uff4c\uff4c' } } }))).toEqual({
      kind: 'scoped',
      scopes: ['all'],
    });
    expect(
      keyPermissions(
        updated({ id: 'k', data: { scopes: [['all']] }, changes_requested: { scopes: 'all|api.model.read' } }),
      ),
    ).toEqual({ kind: 'scoped', scopes: ['all', 'api.model.read'] });
  });

  it('calls a created key with no payload or no data unrecorded, and a payload that is not an object nothing', () => {
    expect(keyPermissions(normalizeAuditEvent({ id: 'e', type: 'api_key.created' }))).toEqual({ kind: 'unrecorded' });
    expect(keyPermissions(created(null))).toEqual({ kind: 'unrecorded' });
    expect(keyPermissions(created({ id: 'k' }))).toEqual({ kind: 'unrecorded' });
    expect(keyPermissions(created({ id: 'k', data: null }))).toEqual({ kind: 'unrecorded' });
    expect(keyPermissions(created('all'))).toEqual({ kind: 'none' });
    expect(keyPermissions(created({ id: 'k', data: 'all' }))).toEqual({ kind: 'none' });
  });

  it('keeps a list of blanks or of non-strings scoped, never unrestricted', () => {
    expect(keyPermissions(created({ data: { scopes: ['', ' '] } }))).toEqual({ kind: 'scoped', scopes: [] });
    expect(keyPermissions(created({ data: { scopes: [[]] } }))).toEqual({ kind: 'scoped', scopes: [] });
    expect(keyPermissions(created({ data: { scopes: {} } }))).toEqual({ kind: 'scoped', scopes: [] });
    expect(keyPermissions(created({ data: { scopes: "['']" } }))).toEqual({ kind: 'scoped', scopes: [] });
    expect(keyPermissions(created({ data: { scopes: '[[]]' } }))).toEqual({ kind: 'scoped', scopes: [] });
    expect(keyPermissions(created({ data: { scopes: ',' } }))).toEqual({ kind: 'scoped', scopes: [] });
    expect(keyPermissions(created({ data: { scopes: [null, 3] } }))).toEqual({ kind: 'scoped', scopes: [] });
    expect(keyPermissions(created({ data: { scopes: 7 } }))).toEqual({ kind: 'scoped', scopes: [] });
  });

  it('reads an update as unrestricted only for an explicit empty list, and a rename as nothing', () => {
    expect(keyPermissions(updated({ id: 'k', changes_requested: { scopes: [] } }))).toEqual({
      kind: 'unrestricted',
      scopes: [],
    });
    expect(keyPermissions(updated({ id: 'k', data: { scopes: [] } }))).toEqual({ kind: 'unrestricted', scopes: [] });
    expect(keyPermissions(updated({ id: 'k', changes_requested: { name: 'renamed' } }))).toEqual({ kind: 'none' });
    expect(keyPermissions(updated({ id: 'k', changes_requested: { scopes: null } }))).toEqual({ kind: 'none' });
    expect(keyPermissions(updated(null))).toEqual({ kind: 'none' });
    expect(
      keyPermissions(updated({ id: 'k', data: { scopes: [] }, changes_requested: { scopes: ['api.model.read'] } })),
    ).toEqual({
      kind: 'unrestricted',
      scopes: ['api.model.read'],
    });
  });

  it('says nothing about deletions and other event types', () => {
    const deleted = normalizeAuditEvent({
      id: 'e',
      type: 'api_key.deleted',
      'api_key.deleted': { id: 'k', data: { scopes: [] } },
    });
    expect(keyPermissions(deleted)).toEqual({ kind: 'none' });
  });
});

describe('policy options', () => {
  const unrestricted = created({ id: 'k', data: { scopes: [] } });
  const unrecorded = created({ id: 'k' });

  it('alerts on unrestricted keys at the severity of "all", and on unrecorded scopes at MEDIUM, by default', () => {
    const rule = createApiKeyAnomalousActivityRule();
    expect(runRule(rule, unrestricted)).toMatchObject({
      kind: 'match',
      output: { severity: 'HIGH', alertContext: { key_permissions: 'unrestricted' } },
    });
    expect(runRule(rule, unrecorded)).toMatchObject({
      kind: 'match',
      output: { severity: 'MEDIUM', alertContext: { key_permissions: 'unrecorded' } },
    });
  });

  it('follows a policy that rates "all" differently, and turns both off when asked', () => {
    const critical = createApiKeyAnomalousActivityRule({ elevatedScopes: [{ exact: 'ALL', severity: 'CRITICAL' }] });
    expect(runRule(critical, unrestricted)).toMatchObject({ kind: 'match', output: { severity: 'CRITICAL' } });
    const off = createApiKeyAnomalousActivityRule({
      ...DEFAULT_SCOPE_POLICY,
      unrestrictedKeys: false,
      unrecordedScopesSeverity: null,
    });
    expect(runRule(off, unrestricted)).toEqual({ kind: 'no-match' });
    expect(runRule(off, unrecorded)).toEqual({ kind: 'no-match' });
    // Elevated scopes still alert with the option off.
    expect(runRule(off, created({ id: 'k', data: { scopes: ['all'] } }))).toMatchObject({ kind: 'match' });
  });

  it('uses HIGH for unrestricted keys when the policy has no "all" entry', () => {
    const rule = createApiKeyAnomalousActivityRule({ elevatedScopes: [{ exact: 'x', severity: 'LOW' }] });
    expect(runRule(rule, unrestricted)).toMatchObject({ kind: 'match', output: { severity: 'HIGH' } });
  });
});
