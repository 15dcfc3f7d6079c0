import { fieldReader } from './field-path.ts';
import { readKeySpecifier } from './key-specifier.ts';
import { renderValue, type TextRenderer } from './templates.ts';
import type { Site, YamlFile } from './yaml-file.ts';

/** Backslashes and colons escaped, so that joined values cannot be forged from another group's. */
function escapeDedupPart(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll(':', '\\:');
}

/**
 * Compiles `GroupBy` (a list of key specifiers) into the rule's dedup string: the fields' values
 * rendered as in a title (a missing field as `<MISSING path>`). One field gives its value as it
 * is; several are joined with `:`, each with its `\` and `:` escaped, so that the values
 * `a:b` + `c` and `a` + `b:c` make different groups (a crafted value cannot merge its alerts into
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
  const [only] = fields;
  if (only !== undefined && fields.length === 1) {
    return (root, eventType) => renderValue(only.read(root, eventType), only.path);
  }
  return (root, eventType) =>
    fields.map(({ path, read }) => escapeDedupPart(renderValue(read(root, eventType), path))).join(':');
}
