import { printable } from '../../shared/printable.ts';

/** The OpenAI organization events belong to: its id and a name for people. */
export interface Organization {
  /** e.g. `org-abc123`, or `default` for a stack that polls one unnamed organization. */
  readonly id: string;
  /** A short display name (may be empty). */
  readonly name: string;
}

/**
 * Id of the organization of a stack configured the old way (one admin key, no organization list).
 * It keeps the dedup keys, titles and cursor key that stack always had.
 */
export const DEFAULT_ORGANIZATION_ID = 'default';

/** The organization of a single-organization stack. */
export const DEFAULT_ORGANIZATION: Organization = Object.freeze({ id: DEFAULT_ORGANIZATION_ID, name: '' });

/** Ids are what OpenAI uses (`org-` and letters, digits), or any short slug of those characters. */
const ORGANIZATION_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Longest organization name kept. */
export const MAX_ORGANIZATION_NAME = 64;

/**
 * Why a value is not a usable organization id, or `undefined` when it is.
 *
 * @example
 * ```ts
 * organizationIdProblem('org-abc'); // undefined
 * organizationIdProblem('a b');     // 'must be 1-64 letters, digits, "-" or "_", starting with a letter or digit'
 * ```
 */
export function organizationIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string') return 'must be a string';
  return ORGANIZATION_ID.test(id)
    ? undefined
    : 'must be 1-64 letters, digits, "-" or "_", starting with a letter or digit';
}

/**
 * An organization name made safe for titles, logs and emails: printable and at most 64 characters.
 *
 * @example
 * ```ts
 * organizationName('Acme\u202e'); // 'Acme\\u202e'
 * ```
 */
export function organizationName(name: unknown): string {
  return typeof name === 'string' ? printable(name.trim(), MAX_ORGANIZATION_NAME) : '';
}

/**
 * The label people see: the name when there is one, else the id.
 *
 * @example
 * ```ts
 * organizationLabel({ id: 'org-1', name: 'Acme' }); // 'Acme'
 * ```
 */
export function organizationLabel(organization: Organization): string {
  return organization.name || organization.id;
}
