// The event types against OpenAI's OpenAPI description in the shared reference (../shared beside
// this repository): the same values in the same order. When the reference is missing the suite
// fails and says where it looked: never a silent skip.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { OPENAI_AUDIT_EVENT_TYPES } from '../../../../lib/detection/openai/event-types.ts';

const root = join(import.meta.dirname, '../../../..');
const schemaFile = resolve(root, '../shared/reference/openai-audit-logs.openapi.yaml');

interface OpenApi {
  readonly components?: { readonly schemas?: { readonly AuditLogEventType?: { readonly enum?: unknown } } };
}

describe('OPENAI_AUDIT_EVENT_TYPES', () => {
  it(`equals the AuditLogEventType enum of ${schemaFile}, in its order`, () => {
    expect(existsSync(schemaFile), `OpenAI's audit-log schema was not found at ${schemaFile}`).toBe(true);
    const schema = parse(readFileSync(schemaFile, 'utf8')) as OpenApi;
    const values = schema.components?.schemas?.AuditLogEventType?.enum;
    expect(Array.isArray(values)).toBe(true);
    expect([...OPENAI_AUDIT_EVENT_TYPES]).toEqual(values);
  });

  it('lists each type once', () => {
    expect(new Set(OPENAI_AUDIT_EVENT_TYPES).size).toBe(OPENAI_AUDIT_EVENT_TYPES.length);
  });
});
