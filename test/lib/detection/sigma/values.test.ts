// Value semantics of the specification: case-insensitive strings, numbers, booleans, null and the
// empty string, lists of values as an OR, and selections as maps (AND) or lists of maps (OR).
import { describe, expect, it } from 'vitest';
import { matcher } from './helpers.ts';

const updated = (changes: object) => ({
  type: 'project.updated',
  'project.updated': { id: 'p1', changes_requested: changes },
});

describe('values', () => {
  it('compares strings case-insensitively', () => {
    const rule = matcher(`selection:\n  project.updated.changes_requested.title: Production\ncondition: selection`);
    expect(rule(updated({ title: 'PRODUCTION' }))).toBe(true);
    expect(rule(updated({ title: 'Production-2' }))).toBe(false);
  });

  it('compares numbers with numbers, and with their text', () => {
    const rule = matcher(`selection:\n  project.updated.changes_requested.limit: 100\ncondition: selection`);
    expect(rule(updated({ limit: 100 }))).toBe(true);
    expect(rule(updated({ limit: 100.0 }))).toBe(true);
    expect(rule(updated({ limit: '100' }))).toBe(true);
    expect(rule(updated({ limit: 1000 }))).toBe(false);
    expect(rule(updated({ limit: '0100' }))).toBe(false);
  });

  it('compares a string value with event numbers and booleans as their text', () => {
    const rule = matcher(`selection:\n  project.updated.changes_requested.limit: '10*'\ncondition: selection`);
    expect(rule(updated({ limit: 100 }))).toBe(true);
    expect(rule(updated({ limit: 90 }))).toBe(false);
  });

  it('compares booleans with booleans, and with their text', () => {
    const rule = matcher(`selection:\n  project.updated.changes_requested.enabled: false\ncondition: selection`);
    expect(rule(updated({ enabled: false }))).toBe(true);
    expect(rule(updated({ enabled: 'False' }))).toBe(true);
    expect(rule(updated({ enabled: true }))).toBe(false);
    expect(rule(updated({ enabled: 0 }))).toBe(false);
  });

  it('null matches an absent or null field only', () => {
    const rule = matcher(`selection:\n  project.updated.changes_requested.title: null\ncondition: selection`);
    expect(rule(updated({}))).toBe(true);
    expect(rule(updated({ title: null }))).toBe(true);
    expect(rule(updated({ title: '' }))).toBe(false);
    expect(rule(updated({ title: 'x' }))).toBe(false);
  });

  it("'' matches the empty string only", () => {
    const rule = matcher(`selection:\n  project.updated.changes_requested.title: ''\ncondition: selection`);
    expect(rule(updated({ title: '' }))).toBe(true);
    expect(rule(updated({}))).toBe(false);
    expect(rule(updated({ title: null }))).toBe(false);
  });

  it('a list of values is an OR', () => {
    const rule = matcher(`selection:\n  type: [project.archived, project.deleted]\ncondition: selection`);
    expect(rule({ type: 'project.deleted' })).toBe(true);
    expect(rule({ type: 'project.updated' })).toBe(false);
  });
});

describe('selections', () => {
  it('a map is an AND of its fields', () => {
    const rule = matcher(`
selection:
  type: project.updated
  project.updated.changes_requested.title|contains: prod
condition: selection`);
    expect(rule(updated({ title: 'prod-1' }))).toBe(true);
    expect(rule(updated({ title: 'dev-1' }))).toBe(false);
    expect(rule({ type: 'project.archived', 'project.archived': { changes_requested: { title: 'prod-1' } } })).toBe(
      false,
    );
  });

  it('a list of maps is an OR of them', () => {
    const rule = matcher(`
selection:
  - type: scim.disabled
  - type: project.updated
    project.updated.changes_requested.title|contains: prod
condition: selection`);
    expect(rule({ type: 'scim.disabled' })).toBe(true);
    expect(rule(updated({ title: 'prod-1' }))).toBe(true);
    expect(rule(updated({ title: 'dev-1' }))).toBe(false);
  });
});
