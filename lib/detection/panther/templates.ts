import { printable } from '../../shared/printable.ts';
import { fieldReader, MISSING, parseKeyPath, type FieldPath, type Resolved } from './field-path.ts';
import type { Site, YamlFile } from './yaml-file.ts';

/**
 * Renders something of the event as text; `eventType` as for {@link fieldReader}.
 *
 * @example
 * ```ts
 * const title: TextRenderer = compileTitleTemplate(file, site);
 * title(event.raw, event.type); // 'OpenAI SCIM Disabled by [it@example.com]'
 * ```
 */
export type TextRenderer = (root: unknown, eventType: string | undefined) => string;

/**
 * What a field missing from the event (or `null`) renders as in a title or a dedup string:
 * `<MISSING actor.session.user.email>`. Panther's documentation found does not say what its own
 * rendering is; a placeholder naming the field tells the analyst what was absent, in the
 * `<UNKNOWN_...>` style of Panther's Python rules.
 *
 * @example
 * ```ts
 * missingPlaceholder(parseKeyPath('user') as FieldPath); // '<MISSING user>'
 * ```
 */
export function missingPlaceholder(path: FieldPath): string {
  return `<MISSING ${path.text}>`;
}

/**
 * A field's value as text: a string as it is, a number or boolean as JSON spells it, a list or
 * object as JSON, a missing or `null` field as {@link missingPlaceholder}.
 *
 * @example
 * ```ts
 * renderValue(['a', 'b'], path); // '["a","b"]'
 * renderValue(MISSING, path);    // '<MISSING ...>'
 * ```
 */
export function renderValue(value: Resolved, path: FieldPath): string {
  if (value === MISSING || value === null) return missingPlaceholder(path);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

type Part = string | { readonly path: FieldPath; readonly read: ReturnType<typeof fieldReader> };

/**
 * Compiles an `AlertTitle` template: text with event fields in braces, `{KeyPath}` (Panther's
 * syntax, e.g. `"[{actor.session.user.email}] created a key"`), each rendered by
 * {@link renderValue}; `{{` and `}}` are literal braces. An empty, unclosed or malformed
 * placeholder is an error at the title's line.
 *
 * @example
 * ```ts
 * const title = compileTitleTemplate(file, site);
 * title(event.raw, event.type); // 'SCIM disabled by [it@example.com]'
 * ```
 */
export function compileTitleTemplate(file: YamlFile, site: Site): TextRenderer {
  const template = file.scalar(site);
  if (typeof template !== 'string' || template.trim() === '') {
    return file.fail(site, `expected a non-empty string, got ${file.describe(site)}`);
  }
  const parts: Part[] = [];
  let literal = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i] as string;
    const next = template[i + 1];
    if ((ch === '{' || ch === '}') && next === ch) {
      literal += ch;
      i++;
    } else if (ch === '}') {
      return file.fail(site, `a lone '}' at character ${i + 1} (write '}}' for a literal brace)`);
    } else if (ch === '{') {
      const end = template.indexOf('}', i + 1);
      if (end < 0) return file.fail(site, `'{' at character ${i + 1} is never closed (write '{{' for a literal brace)`);
      const text = template.slice(i + 1, end).trim();
      const path = parseKeyPath(text);
      if (typeof path === 'string') {
        return file.fail(site, `placeholder {${printable(text, 60)}} at character ${i + 1} is not a KeyPath: ${path}`);
      }
      if (literal !== '') parts.push(literal);
      literal = '';
      parts.push({ path, read: fieldReader(path) });
      i = end;
    } else {
      literal += ch;
    }
  }
  if (literal !== '') parts.push(literal);
  return (root, eventType) => {
    let title = '';
    for (const part of parts)
      title += typeof part === 'string' ? part : renderValue(part.read(root, eventType), part.path);
    return title;
  };
}
