import { parseFailure } from '../shared/json-input.ts';
import { isJsonObject, type JsonObject } from '../shared/json.ts';

/**
 * One line of an archive object read as a JSON object, or why it is not one: `not valid JSON: ...`
 * (with the column), or `<not what>: expected a JSON object`. Never throws.
 *
 * @example
 * ```ts
 * const read = objectLine(text, 'not an alert document');
 * if ('problem' in read) report(read.problem);
 * ```
 */
export function objectLine(
  text: string,
  notWhat: string,
): { readonly value: JsonObject } | { readonly problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: `not valid JSON: ${parseFailure(text, error, undefined).reason}` };
  }
  return isJsonObject(value) ? { value } : { problem: `${notWhat}: expected a JSON object` };
}
