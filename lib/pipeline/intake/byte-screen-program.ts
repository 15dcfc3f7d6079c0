import { FunctionBuilder, wasmModule, type Local } from '../../shared/wasm-assembler.ts';
import { BYTE_SCREEN_PAGES, BYTE_SCREEN_SLOTS, ByteScreenStatus, MAX_SCREEN_DEPTH } from './byte-screen-constants.ts';

/** An ASCII word of up to four bytes as the little-endian integer a load of it gives. */
function word(text: string): number {
  let value = 0;
  for (let k = text.length - 1; k >= 0; k--) value = value * 256 + text.charCodeAt(k);
  return value;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
/** `]`; `}` is 0x20 more, as `{` is 0x20 more than `[`. */
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;

/** Top-level keys, as the run tells them apart. */
const KEY_OTHER = 0;
const KEY_ID = 1;
const KEY_TYPE = 2;

/**
 * The screen's function, `run(from, length) -> status`, written with the assembler. It checks the
 * UTF-8 at offset 0 as JSON.parse checks text: JSON whitespace between tokens and nothing else, no
 * control character in a string, bytes past ASCII only in strings, numbers and literals by the
 * grammar, brackets matched, one object and then only whitespace up to `length`. It gives up on
 * what it does not read (a backslash: `NotPlain`; more than MAX_SCREEN_DEPTH open containers or a
 * top-level key that marks an envelope: `Parse`), and stops at each top-level string `type`
 * (`Type`). Every loop ends at the 0 after the body: it is no whitespace, no digit, no character
 * of a string and no byte of a literal, so no read passes it by more than a literal's four bytes.
 */
function screenFunction(): FunctionBuilder {
  const f = new FunctionBuilder(2);
  const [from, length] = f.params as [Local, Local];
  const i = f.local();
  const c = f.local();
  const open = f.local();
  const depth = f.local();
  const first = f.local();
  const start = f.local();
  const key = f.local();
  const object = f.local();

  const fail = (status: ByteScreenStatus) => () => void f.i32(status).return();
  const failUnless = (status: ByteScreenStatus, test: () => void) => {
    test();
    f.eqz().if(fail(status));
  };
  /** i++, then c = the byte at i. */
  const next = () => void f.get(i).i32(1).add().tee(i).load8().set(c);
  const cIs = (byte: number) => void f.get(c).i32(byte).eq();
  const skipWhitespace = () =>
    void f.loop('whitespace', () => {
      f.get(c)
        .i32(0x20)
        .leU()
        .if(() => {
          cIs(0x20);
          cIs(0x0a);
          f.or();
          cIs(0x0d);
          f.or();
          cIs(0x09);
          f.or().if(() => {
            next();
            f.br('whitespace');
          });
        });
    });
  /** From an opening quote at i to its closing quote; an escape or a control character ends the run. */
  const toStringEnd = () =>
    void f.block('closed', () =>
      f.loop('characters', () => {
        next();
        // Letters and bytes past ASCII first: nearly every byte of a string.
        f.get(c).i32(BACKSLASH).gtU().brIf('characters');
        cIs(QUOTE);
        f.brIf('closed');
        cIs(BACKSLASH);
        f.if(fail(ByteScreenStatus.NotPlain));
        f.get(c).i32(0x20).geU().brIf('characters');
        fail(ByteScreenStatus.Parse)();
      }),
    );
  /** From a key's closing quote at i to the first byte of its value. */
  const toValue = () => {
    next();
    skipWhitespace();
    failUnless(ByteScreenStatus.Parse, () => cIs(COLON));
    next();
    skipWhitespace();
  };
  const isDigit = () => void f.get(c).i32(0x30).sub().i32(10).ltU();
  const digits = () =>
    void f.loop('digits', () => {
      next();
      isDigit();
      f.brIf('digits');
    });
  const slot = (index: number, value: () => void) => {
    f.i32(BYTE_SCREEN_SLOTS + 4 * index);
    value();
    f.store32();
  };
  /** Whether the key between start (its opening quote) and i (its closing quote) is `text`. */
  const keyIs = (text: string) => {
    if (text.length === 2) f.get(start).load16(1).i32(word(text)).eq();
    else
      f.get(start)
        .load32(1)
        .i32(word(text.slice(0, 4)))
        .eq();
    if (text.length === 6)
      f.get(start)
        .load16(5)
        .i32(word(text.slice(4)))
        .eq()
        .and();
    if (text.length === 8)
      f.get(start)
        .load32(5)
        .i32(word(text.slice(4)))
        .eq()
        .and();
  };
  const keyLengthIs = (n: number) =>
    void f
      .get(i)
      .get(start)
      .sub()
      .i32(n + 1)
      .eq();

  f.block('done', () => {
    f.get(from)
      .eqz()
      .if(
        () => {
          f.get(i).load8().set(c); // i is 0
          skipWhitespace();
          failUnless(ByteScreenStatus.Parse, () => cIs(OPEN_OBJECT));
          slot(0, () => f.i32(-1));
          slot(2, () => f.i32(-1));
          f.i32(1).set(first);
        },
        () => void f.get(from).set(i),
      );
    f.i32(1).set(open);
    f.i32(1).set(depth);
    // Here i is at the last byte of a value (or at the event's "{").
    f.loop('afterValue', () => {
      f.block('member', () => {
        next();
        skipWhitespace();
        f.get(first).if(() => {
          f.i32(0).set(first);
          f.br('member');
        });
        cIs(COMMA);
        f.if(() => {
          next();
          skipWhitespace();
          f.br('member');
        });
        // The closing bracket of the innermost open container.
        failUnless(ByteScreenStatus.Parse, () =>
          f.get(c).get(open).i32(1).and().i32(5).shl().i32(CLOSE_ARRAY).add().eq(),
        );
        f.get(open).i32(1).shrU().set(open);
        f.get(depth).i32(1).sub().tee(depth).eqz().brIf('done');
        f.br('afterValue');
      });
      // Here c, at i, starts a member (in an object) or an element (in an array).
      f.get(open)
        .i32(1)
        .and()
        .if(() => {
          failUnless(ByteScreenStatus.Parse, () => cIs(QUOTE));
          f.get(i).set(start);
          toStringEnd();
          f.i32(KEY_OTHER).set(key);
          f.get(depth)
            .i32(1)
            .eq()
            .if(() => {
              keyLengthIs(2);
              f.if(() => {
                keyIs('id');
                f.if(() => void f.i32(KEY_ID).set(key));
              });
              keyLengthIs(4);
              f.if(() => {
                keyIs('type');
                f.if(() => void f.i32(KEY_TYPE).set(key));
                keyIs('Type'); // an SNS notification
                f.if(fail(ByteScreenStatus.Parse));
              });
              keyLengthIs(6);
              f.if(() => {
                keyIs('detail'); // an EventBridge event
                keyIs('object'); // a list page
                f.or().if(fail(ByteScreenStatus.Parse));
              });
              keyLengthIs(8);
              f.if(() => {
                keyIs('envelope'); // our envelope
                f.if(fail(ByteScreenStatus.Parse));
              });
            });
          toValue();
          f.get(key).if(() => {
            cIs(QUOTE);
            f.if(
              () => {
                f.get(i).set(start);
                toStringEnd();
                f.get(key)
                  .i32(KEY_ID)
                  .eq()
                  .if(() => {
                    slot(0, () => f.get(start).i32(1).add());
                    slot(1, () => f.get(i));
                    f.br('afterValue');
                  });
                slot(2, () => f.get(start).i32(1).add());
                slot(3, () => f.get(i));
                f.i32(ByteScreenStatus.Type).return();
              },
              // Not a string: unusable, unless a later member of the same name is (JSON.parse keeps the last).
              () =>
                void f
                  .get(key)
                  .i32(KEY_ID)
                  .eq()
                  .if(
                    () => slot(0, () => f.i32(-1)),
                    () => slot(2, () => f.i32(-1)),
                  ),
            );
          });
        });
      // A value at i, its first byte c: containers are opened until a scalar or an empty one.
      f.loop('value', () => {
        cIs(QUOTE);
        f.if(() => {
          toStringEnd();
          f.br('afterValue');
        });
        f.get(c)
          .i32(0x20)
          .or()
          .i32(OPEN_OBJECT)
          .eq()
          .if(() => {
            cIs(OPEN_OBJECT);
            f.set(object);
            next();
            skipWhitespace();
            // An empty container: i is at its last byte.
            f.get(c).get(object).i32(5).shl().i32(CLOSE_ARRAY).add().eq().brIf('afterValue');
            f.get(depth).i32(MAX_SCREEN_DEPTH).eq().if(fail(ByteScreenStatus.Parse));
            f.get(depth).i32(1).add().set(depth);
            f.get(open).i32(1).shl().get(object).or().set(open);
            f.get(object).if(() => {
              failUnless(ByteScreenStatus.Parse, () => cIs(QUOTE));
              toStringEnd();
              toValue();
            });
            f.br('value');
          });
        for (const [literal, skip] of [
          ['true', 0],
          ['null', 0],
          ['false', 1],
        ] as const) {
          cIs(literal.charCodeAt(0));
          f.if(() => {
            failUnless(
              ByteScreenStatus.Parse,
              () =>
                void f
                  .get(i)
                  .load32(skip)
                  .i32(word(literal.slice(skip)))
                  .eq(),
            );
            f.get(i)
              .i32(literal.length - 1)
              .add()
              .set(i);
            f.br('afterValue');
          });
        }
        // A number: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
        cIs(0x2d);
        f.if(next);
        f.block('integer', () => {
          cIs(0x30);
          f.if(() => {
            next();
            f.br('integer');
          });
          failUnless(ByteScreenStatus.Parse, () => void f.get(c).i32(0x31).sub().i32(9).ltU());
          digits();
        });
        cIs(0x2e);
        f.if(() => {
          next();
          failUnless(ByteScreenStatus.Parse, isDigit);
          digits();
        });
        f.get(c)
          .i32(0x20)
          .or()
          .i32(0x65)
          .eq()
          .if(() => {
            next();
            cIs(0x2b);
            cIs(0x2d);
            f.or().if(next);
            failUnless(ByteScreenStatus.Parse, isDigit);
            digits();
          });
        f.get(i).i32(1).sub().set(i);
        f.br('afterValue');
      });
    });
  });
  // Past the event's closing brace: only whitespace, up to the body's end.
  next();
  skipWhitespace();
  f.get(i).get(length).eq().if(fail(ByteScreenStatus.End));
  f.i32(ByteScreenStatus.Parse);
  return f;
}

/**
 * The byte screen's module, made from {@link screenFunction}: `npm run build:wasm` writes it to
 * `byte-screen-wasm.ts` (made there once rather than at each cold start, where making it costs
 * about 2 ms), and a test checks that the two are the same.
 *
 * @example
 * ```ts
 * new WebAssembly.Module(byteScreenModule()); // compiles
 * ```
 */
export function byteScreenModule(): Uint8Array<ArrayBuffer> {
  return wasmModule(screenFunction(), 'run', BYTE_SCREEN_PAGES);
}
