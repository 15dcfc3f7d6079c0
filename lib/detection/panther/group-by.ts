import { fieldReader, MISSING, type FieldPath, type Resolved } from './field-path.ts';
import { readKeySpecifier } from './key-specifier.ts';
import { renderValue, type TextRenderer } from './templates.ts';
import type { Site, YamlFile } from './yaml-file.ts';

/**
 * A field's part of the dedup string: its value with `\`, `:` and `<` escaped, so that joined values
 * cannot be forged from another group's, nor a value pass for a missing field's `<MISSING path>`.
 */
function dedupPart(value: Resolved, path: FieldPath): string {
  const text = renderValue(value, path);
  if (value === MISSING || value === null) return text;
  return text.replaceAll('\\', '\\\\').replaceAll(':', '\\:').replaceAll('<', '\\<');
}

/**
 * Compiles `GroupBy` (a list of key specifiers) into the rule's dedup string: the fields' values
 * rendered as in a title (a missing field as `<MISSING path>`), joined with `:`, each value with
 * its `\`, `:` and `<` escaped, so that the values `a:b` + `c` and `a` + `b:c` make different
 * groups and no value reads as a missing field (a crafted value cannot merge its alerts into
 * another group's). Panther's documentation found does not say how it joins the values.
 *
 * @example
 * ```ts
 * const dedup = compileGroupBy(file, site); // GroupBy: [{ KeyPath: actor.session.user.email }]
 * dedup(event.raw, event.type);             // 'it@example.com'
 * ```
 */
export function compileGroupBy(file: YamlFile, site: Site): TextRenderer {
  const items = file.items(site, 'a list of key specifiers (Key, DeepKey or KeyPath)');
  if (items.length === 0) return file.fail(site, 'expected at least one field to group by');
  const fields = items.map((item) => {
    const { path } = readKeySpecifier(file, item);
    return { path, read: fieldReader(path) };
  });
  return (root, eventType) => fields.map(({ path, read }) => dedupPart(read(root, eventType), path)).join(':');
}
