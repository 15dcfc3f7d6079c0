import type { JsonValue } from './json.ts';

/** Deeper than this, the copy gives up (a cycle, or nesting JSON.stringify should judge). */
const MAX_DEPTH = 32;
/** Longest JSON text of a number (`-1.2345678901234567e-308`). */
const NUMBER_BOUND = 25;

type Copied = { value: JsonValue; bound: number } | undefined;

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** What JSON.stringify writes for a primitive, read back; `undefined` for what it leaves out. */
function copyPrimitive(value: unknown, mapString: (text: string) => string): Copied | 'omit' | 'other' {
  switch (typeof value) {
    case 'string':
      // Every character may become a \uXXXX escape: six characters of JSON each.
      return { value: mapString(value), bound: value.length * 6 + 2 };
    case 'number':
      // -0 is written "0"; NaN and the infinities "null".
      return Number.isFinite(value) ? { value: value === 0 ? 0 : value, bound: NUMBER_BOUND } : { value: null, bound: 4 };
    case 'boolean':
      return { value, bound: 5 };
    case 'undefined':
    case 'function':
    case 'symbol':
      return 'omit';
    case 'object':
      return value === null ? { value: null, bound: 4 } : 'other';
    default:
      // bigint: JSON.stringify throws; let it say so.
      return undefined;
  }
}

function copyValue(value: unknown, mapString: (text: string) => string, depth: number): Copied | 'omit' {
  const primitive = copyPrimitive(value, mapString);
  if (primitive !== 'other') return primitive;
  const object = value as object;
  if (depth >= MAX_DEPTH || typeof (object as { toJSON?: unknown }).toJSON === 'function') return undefined;
  if (Array.isArray(object)) {
    if (Object.getPrototypeOf(object) !== Array.prototype) return undefined;
    const items: unknown[] = object;
    const copy: JsonValue[] = [];
    let bound = 2;
    for (let i = 0; i < items.length; i++) {
      const item = copyValue(items[i], mapString, depth + 1);
      if (item === undefined) return undefined;
      // In an array, what JSON leaves out of an object is written null.
      if (item === 'omit') {
        copy.push(null);
        bound += 5;
      } else {
        copy.push(item.value);
        bound += item.bound + 1;
      }
    }
    return { value: copy, bound };
  }
  if (!isPlainObject(object)) return undefined;
  const copy: Record<string, JsonValue> = {};
  let bound = 2;
  for (const key of Object.keys(object)) {
    // Assigning "__proto__" would set the prototype, where JSON.parse makes a property.
    if (key === '__proto__') return undefined;
    const member = copyValue((object as Record<string, unknown>)[key], mapString, depth + 1);
    if (member === undefined) return undefined;
    if (member === 'omit') continue;
    copy[key] = member.value;
    bound += key.length * 6 + 3 + member.bound + 1;
  }
  return { value: copy, bound };
}

/**
 * The plain-JSON copy of an object that `JSON.parse(JSON.stringify(value), reviver)` gives, with
 * `mapString` as the reviver of every string value, made without writing or reading JSON text:
 * values JSON leaves out are left out (`null` in arrays), `NaN` and the infinities become `null`,
 * `-0` becomes `0`, and nothing of `value` is shared. Only for values made of plain objects, arrays
 * and primitives whose JSON is surely at most `maxLength` characters; for anything else (a
 * `toJSON`, a class instance, a `BigInt`, a cycle, deep nesting, a `__proto__` key, a text that
 * may be longer) it returns `undefined`, and the caller takes the JSON round trip, which judges
 * those exactly.
 *
 * @example
 * ```ts
 * copyJsonObject({ a: 'x', b: undefined, c: [NaN] }, 1000, (s) => s); // { a: 'x', c: [null] }
 * ```
 */
export function copyJsonObject(value: object, maxLength: number, mapString: (text: string) => string): Record<string, JsonValue> | undefined {
  if (Array.isArray(value)) return undefined;
  const copied = copyValue(value, mapString, 0);
  if (copied === undefined || copied === 'omit' || copied.bound > maxLength) return undefined;
  return copied.value as Record<string, JsonValue>;
}
