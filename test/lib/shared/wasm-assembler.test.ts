import { describe, expect, it, vi } from 'vitest';
import {
  FunctionBuilder,
  instantiateWasm,
  signedLeb128,
  unsignedLeb128,
  wasmModule,
} from '../../../lib/shared/wasm-assembler.ts';

/** The test's view of an instance: its function and its memory. */
function instantiate(f: FunctionBuilder, pages = 1): { run: (...args: number[]) => number; memory: Uint8Array } {
  const exports = instantiateWasm(wasmModule(f, 'run', pages));
  if (exports === undefined) throw new Error('the module does not compile');
  return {
    run: exports.run as (...args: number[]) => number,
    memory: new Uint8Array((exports.memory as { buffer: ArrayBuffer }).buffer),
  };
}

describe('LEB128', () => {
  it('encodes unsigned and signed integers as the specification does', () => {
    expect(unsignedLeb128(0)).toEqual([0x00]);
    expect(unsignedLeb128(127)).toEqual([0x7f]);
    expect(unsignedLeb128(128)).toEqual([0x80, 0x01]);
    expect(unsignedLeb128(624_485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(unsignedLeb128(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(signedLeb128(0)).toEqual([0x00]);
    expect(signedLeb128(63)).toEqual([0x3f]);
    expect(signedLeb128(64)).toEqual([0xc0, 0x00]);
    expect(signedLeb128(-1)).toEqual([0x7f]);
    expect(signedLeb128(-64)).toEqual([0x40]);
    expect(signedLeb128(-65)).toEqual([0xbf, 0x7f]);
    expect(signedLeb128(-123_456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(signedLeb128(0x7fffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x07]);
    expect(signedLeb128(-0x80000000)).toEqual([0x80, 0x80, 0x80, 0x80, 0x78]);
  });

  it('refuses what does not fit 32 bits', () => {
    expect(() => unsignedLeb128(-1)).toThrow('not a u32: -1');
    expect(() => unsignedLeb128(2 ** 32)).toThrow(RangeError);
    expect(() => signedLeb128(2 ** 31)).toThrow('not an i32: 2147483648');
    expect(() => signedLeb128(1.5)).toThrow(RangeError);
  });
});

describe('FunctionBuilder and wasmModule', () => {
  it('makes a module that compiles and computes with locals, loops and named branches', () => {
    // The sum of 1..n, stopping early past a limit: a loop restarted by name and a block left by name.
    const f = new FunctionBuilder(2);
    const [n, limit] = f.params as [{ index: number }, { index: number }];
    const sum = f.local();
    f.block('out', () =>
      f.loop('again', () => {
        f.get(n).eqz().brIf('out');
        f.get(sum).get(n).add().set(sum);
        f.get(sum)
          .get(limit)
          .gtU()
          .if(() => void f.i32(-1).return());
        f.get(n).i32(1).sub().set(n);
        f.br('again');
      }),
    );
    f.get(sum);
    const { run } = instantiate(f);
    expect(run(10, 1000)).toBe(55);
    expect(run(0, 1000)).toBe(0);
    expect(run(100, 1000)).toBe(-1);
  });

  it('branches to the innermost construct of a name, and if/else take either way', () => {
    const f = new FunctionBuilder(1);
    const [x] = f.params as [{ index: number }];
    const out = f.local();
    f.block('l', () => {
      f.i32(1).set(out);
      f.block('l', () => {
        f.get(x).brIf('l'); // the inner block: out stays 1 only when x is not 0
        f.i32(2).set(out);
      });
      f.get(out).i32(10).add().set(out);
    });
    f.get(x)
      .i32(3)
      .eq()
      .if(
        () => void f.get(out).i32(100).add().set(out),
        () => void f.get(out).i32(1000).add().set(out),
      );
    f.get(out);
    const { run } = instantiate(f);
    expect(run(0)).toBe(1012);
    expect(run(1)).toBe(1011);
    expect(run(3)).toBe(111);
  });

  it('reads and writes memory little-endian at any address, with offsets', () => {
    const f = new FunctionBuilder(2);
    const [address, which] = f.params as [{ index: number }, { index: number }];
    f.get(address).i32(0x04030201).store32(8);
    f.get(which)
      .i32(1)
      .eq()
      .if(() => void f.get(address).load8(9).return());
    f.get(which)
      .i32(2)
      .eq()
      .if(() => void f.get(address).load16(9).return());
    f.get(address).load32(8);
    const { run, memory } = instantiate(f);
    expect(run(1, 0)).toBe(0x04030201);
    expect([...memory.subarray(9, 13)]).toEqual([1, 2, 3, 4]);
    expect(run(1, 1)).toBe(0x02);
    expect(run(1, 2)).toBe(0x0302);
    expect(run(3, 1)).toBe(0x02); // unaligned
  });

  it('computes with the unsigned comparisons and bit operations it writes', () => {
    const cases: Array<[(f: FunctionBuilder) => FunctionBuilder, number, number, number]> = [
      [(f) => f.ltU(), -1, 1, 0],
      [(f) => f.leU(), 1, 1, 1],
      [(f) => f.geU(), 1, 2, 0],
      [(f) => f.gtU(), -1, 1, 1],
      [(f) => f.ne(), 1, 2, 1],
      [(f) => f.and(), 0b1100, 0b1010, 0b1000],
      [(f) => f.or(), 0b1100, 0b1010, 0b1110],
      [(f) => f.shl(), 1, 5, 32],
      [(f) => f.shrU(), -1, 28, 15],
      [(f) => f.sub(), 2, 5, -3],
    ];
    for (const [op, a, b, expected] of cases) {
      const f = new FunctionBuilder(2);
      const [x, y] = f.params as [{ index: number }, { index: number }];
      op(f.get(x).get(y));
      expect(instantiate(f).run(a, b)).toBe(expected);
    }
    const tee = new FunctionBuilder(1);
    const copy = tee.local();
    tee
      .get(tee.params[0] as { index: number })
      .tee(copy)
      .get(copy)
      .add();
    expect(instantiate(tee).run(21)).toBe(42);
  });

  it('gives no instance for bytes that are no module, or where WebAssembly cannot run', () => {
    expect(instantiateWasm(Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00]))).toBeUndefined();
    const module = wasmModule(new FunctionBuilder(0).i32(7), 'run', 1);
    expect((instantiateWasm(module)?.run as () => number)()).toBe(7);
    vi.stubGlobal('WebAssembly', undefined);
    try {
      expect(instantiateWasm(module)).toBeUndefined();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('refuses a branch to a name not in scope when the code is written', () => {
    const f = new FunctionBuilder(0);
    expect(() => f.block('a', () => void f.br('b'))).toThrow('no label "b" in scope (a)');
    expect(() => new FunctionBuilder(0).br('x')).toThrow('no label "x" in scope (none)');
  });
});
