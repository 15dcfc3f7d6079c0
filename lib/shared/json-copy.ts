import type { JsonValue } from './json.ts';

/** Deeper than this, the copy gives up (a cycle, or nesting JSON.stringify should judge). */
const MAX_DEPTH = 32;
/** Longest JSON text of a number (`-1.2345678901234567e-308`). */
const NUMBER_BOUND = 25;

/** What JSON leaves out of an object (and writes null for in an array). */
const OMIT = Symbol('omit');
/** What the copy leaves to the JSON round trip. */
const GIVE_UP = Symbol('give up');

type Copied = JsonValue | typeof OMIT | typeof GIVE_UP;

/**
 * One copy in progress: the bound on its JSON length is summed here rather than returned with
 * every value, so copying allocates nothing but the copy.
 */
class Copier {
  bound = 0;
  readonly mapString: (text: string) => string;

  constructor(mapString: (text: string) => string) {
    this.mapString = mapString;
  }

  value(value: unknown, depth: number): Copied {
    switch (typeof value) {
      case 'string':
        // Every character may become a \uXXXX escape: six characters of JSON each.
        this.bound += value.length * 6 + 2;
        return this.mapString(value);
      case 'number':
        this.bound += NUMBER_BOUND;
        // -0 is written "0"; NaN and the infinities "null".
        return Number.isFinite(value) ? (value === 0 ? 0 : value) : null;
      case 'boolean':
        this.bound += 5;
        return value;
      case 'undefined':
      case 'function':
      case 'symbol':
        return OMIT;
      case 'object':
        if (value === null) {
          this.bound += 4;
          return null;
        }
        return depth >= MAX_DEPTH || typeof (value as { toJSON?: unknown }).toJSON === 'function'
          ? GIVE_UP
          : Array.isArray(value)
            ? this.array(value, depth)
            : this.object(value, depth);
      default:
        // bigint: JSON.stringify throws; let it say so.
        return GIVE_UP;
    }
  }

  array(items: readonly unknown[], depth: number): Copied {
    if (Object.getPrototypeOf(items) !== Array.prototype) return GIVE_UP;
    const copy: JsonValue[] = [];
    this.bound += 2;
    for (let i = 0; i < items.length; i++) {
      const item = this.value(items[i], depth + 1);
      if (item === GIVE_UP) return GIVE_UP;
      // In an array, what JSON leaves out of an object is written null.
      if (item === OMIT) {
        copy.push(null);
        this.bound += 4;
      } else copy.push(item);
      this.bound += 1;
    }
    return copy;
  }

  object(object: object, depth: number): Copied {
    const prototype: unknown = Object.getPrototypeOf(object);
    if (prototype !== Object.prototype && prototype !== null) return GIVE_UP;
    const copy: Record<string, JsonValue> = {};
    this.bound += 2;
    const keys = Object.keys(object);
    for (const key of keys) {
      const name = this.mapString(key);
      // Assigning "__proto__" would set the prototype, where JSON.parse makes a property.
      if (key === '__proto__' || name === '__proto__') return GIVE_UP;
      const member = this.value((object as Record<string, unknown>)[key], depth + 1);
      if (member === GIVE_UP) return GIVE_UP;
      if (member === OMIT) continue;
      // Two keys mapped to one name: the later wins, as for a repeated key in JSON.parse.
      copy[name] = member;
      this.bound += key.length * 6 + 4;
    }
    return copy;
  }
}

/**
 * The plain-JSON copy of an object that `JSON.parse(JSON.stringify(value))` gives, with `mapString`
 * applied to every string, object keys as well as values (a key can carry what a value can: an
 * alert context may name members after an event's data), made without writing or reading JSON text:
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
 * copyJsonObject({ k: 'v' }, 1000, (s) => s.toUpperCase()); // { K: 'V' }
 * ```
 */
export function copyJsonObject(
  value: object,
  maxLength: number,
  mapString: (text: string) => string,
): Record<string, JsonValue> | undefined {
  if (Array.isArray(value)) return undefined;
  const copier = new Copier(mapString);
  const copied = copier.value(value, 0);
  if (copied === GIVE_UP || copied === OMIT || copier.bound > maxLength) return undefined;
  return copied as Record<string, JsonValue>;
}

/**
 * The `JSON.parse` reviver that makes, from a value's JSON text, the copy {@link copyJsonObject}
 * makes of the value: `mapString` applied to every string and every member name. A reviver cannot
 * rename a member, so an object whose names change is rebuilt (`Object.fromEntries`, like
 * `JSON.parse`, makes a `__proto__` name an own property, and keeps the later of two equal names).
 *
 * @example
 * ```ts
 * JSON.parse('{"k": "v"}', mappingReviver((s) => s.toUpperCase())); // { K: 'V' }
 * ```
 */
export function mappingReviver(mapString: (text: string) => string): (key: string, value: unknown) => unknown {
  return (_key, value) => {
    if (typeof value === 'string') return mapString(value);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const members = Object.entries(value);
    let renamed = false;
    const mapped = members.map(([name, member]): [string, unknown] => {
      const newName = mapString(name);
      if (newName !== name) renamed = true;
      return [newName, member];
    });
    return renamed ? Object.fromEntries(mapped) : value;
  };
}
