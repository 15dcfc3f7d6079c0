/**
 * A small WebAssembly assembler: enough to write one function over linear memory in TypeScript
 * (i32 arithmetic, loads, structured control flow with named labels) and wrap it in a module that
 * exports it and its memory. The module's bytes are made from source when it is first needed, so
 * the project ships no binary it cannot rebuild and needs no compiler toolchain.
 *
 * Encoding facts are from the WebAssembly core specification 2.0, "Binary Format"
 * (https://webassembly.github.io/spec/core/binary/index.html).
 */

/** The value type i32. */
const I32 = 0x7f;

/** Opcodes of the instructions the builder writes. */
const Op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i32Load8U: 0x2d,
  i32Load16U: 0x2f,
  i32Store: 0x36,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtU: 0x49,
  i32GtU: 0x4b,
  i32LeU: 0x4d,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32And: 0x71,
  i32Or: 0x72,
  i32Shl: 0x74,
  i32ShrU: 0x76,
} as const;

/** The block type of a block that takes and gives nothing. */
const EMPTY_BLOCK = 0x40;

/**
 * An unsigned integer as LEB128.
 *
 * @example
 * ```ts
 * unsignedLeb128(624485); // [0xe5, 0x8e, 0x26]
 * ```
 */
export function unsignedLeb128(value: number): number[] {
  if (!Number.isSafeInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`not a u32: ${value}`);
  const bytes: number[] = [];
  let rest = value;
  do {
    const low = rest % 128;
    rest = Math.floor(rest / 128);
    bytes.push(rest === 0 ? low : low | 0x80);
  } while (rest !== 0);
  return bytes;
}

/**
 * A signed 32-bit integer as LEB128.
 *
 * @example
 * ```ts
 * signedLeb128(-123456); // [0xc0, 0xbb, 0x78]
 * ```
 */
export function signedLeb128(value: number): number[] {
  if (!Number.isSafeInteger(value) || value < -0x80000000 || value > 0x7fffffff)
    throw new RangeError(`not an i32: ${value}`);
  const bytes: number[] = [];
  let rest = value;
  for (;;) {
    const low = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (low & 0x40) === 0) || (rest === -1 && (low & 0x40) !== 0);
    bytes.push(done ? low : low | 0x80);
    if (done) return bytes;
  }
}

function name(text: string): number[] {
  const utf8 = new TextEncoder().encode(text);
  return [...unsignedLeb128(utf8.length), ...utf8];
}

/** Parts joined into one array of bytes. */
function join(parts: ReadonlyArray<ArrayLike<number>>): Uint8Array<ArrayBuffer> {
  let size = 0;
  for (const part of parts) size += part.length;
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

/** A section: its id, its size, its content (a vector of `items`). */
function section(id: number, items: ReadonlyArray<ArrayLike<number>>): Uint8Array<ArrayBuffer> {
  const content = join([unsignedLeb128(items.length), ...items]);
  return join([[id], unsignedLeb128(content.length), content]);
}

/** A local of the function being built (its parameters first). */
export interface Local {
  readonly index: number;
}

/**
 * Builds the body of one function `(i32 ...) -> i32`. Each method appends an instruction and
 * returns the builder. Blocks, loops and ifs take a body as a callback and a label: `br(label)`
 * names the construct it leaves (a block or if) or restarts (a loop), so no branch counts depths
 * by hand, and a label not in scope is an error when the code is built, not a wrong jump.
 *
 * @example
 * ```ts
 * const f = new FunctionBuilder(1);
 * const [x] = f.params;
 * f.get(x).i32(1).add().return();
 * ```
 */
export class FunctionBuilder {
  readonly #code: number[] = [];
  readonly #labels: string[] = [];
  #locals = 0;
  readonly params: readonly Local[];

  /** @param paramCount how many i32 parameters the function takes */
  public constructor(paramCount: number) {
    this.params = Array.from({ length: paramCount }, (_, index) => ({ index }));
  }

  /** A new i32 local, zero when the function starts. */
  public local(): Local {
    return { index: this.params.length + this.#locals++ };
  }

  #op(opcode: number): this {
    this.#code.push(opcode);
    return this;
  }

  /** An opcode and its unsigned immediate. */
  #opU(opcode: number, value: number): this {
    this.#code.push(opcode, ...unsignedLeb128(value));
    return this;
  }

  /** A memory access: its opcode, alignment 0 (any address is allowed) and offset. */
  #memory(opcode: number, offset: number): this {
    this.#code.push(opcode, 0, ...unsignedLeb128(offset));
    return this;
  }

  #nested(opcode: number, label: string, body: (f: this) => void): this {
    this.#code.push(opcode, EMPTY_BLOCK);
    this.#labels.push(label);
    body(this);
    this.#labels.pop();
    return this.#op(Op.end);
  }

  #depth(label: string): number {
    const at = this.#labels.lastIndexOf(label);
    if (at < 0) throw new Error(`no label "${label}" in scope (${this.#labels.join(', ') || 'none'})`);
    return this.#labels.length - 1 - at;
  }

  /** A block: `br(label)` inside it goes to its end. */
  public block(label: string, body: (f: this) => void): this {
    return this.#nested(Op.block, label, body);
  }

  /** A loop: `br(label)` inside it goes back to its start. */
  public loop(label: string, body: (f: this) => void): this {
    return this.#nested(Op.loop, label, body);
  }

  /** Pops an i32 and runs `then` when it is not zero, else `otherwise`. */
  public if(then: (f: this) => void, otherwise?: (f: this) => void, label = ''): this {
    this.#code.push(Op.if, EMPTY_BLOCK);
    this.#labels.push(label);
    then(this);
    if (otherwise !== undefined) {
      this.#op(Op.else);
      otherwise(this);
    }
    this.#labels.pop();
    return this.#op(Op.end);
  }

  public br(label: string): this {
    return this.#opU(Op.br, this.#depth(label));
  }

  /** Pops an i32; branches when it is not zero. */
  public brIf(label: string): this {
    return this.#opU(Op.brIf, this.#depth(label));
  }

  public return(): this {
    return this.#op(Op.return);
  }

  public get(local: Local): this {
    return this.#opU(Op.localGet, local.index);
  }

  public set(local: Local): this {
    return this.#opU(Op.localSet, local.index);
  }

  public tee(local: Local): this {
    return this.#opU(Op.localTee, local.index);
  }

  public i32(value: number): this {
    this.#code.push(Op.i32Const, ...signedLeb128(value));
    return this;
  }

  /** Pops an address; pushes the byte at address + offset. */
  public load8(offset = 0): this {
    return this.#memory(Op.i32Load8U, offset);
  }

  /** Pops an address; pushes the two bytes at address + offset, little-endian (any alignment). */
  public load16(offset = 0): this {
    return this.#memory(Op.i32Load16U, offset);
  }

  /** Pops an address; pushes the four bytes at address + offset, little-endian (any alignment). */
  public load32(offset = 0): this {
    return this.#memory(Op.i32Load, offset);
  }

  /** Pops a value, then an address; stores the value's four bytes at address + offset. */
  public store32(offset = 0): this {
    return this.#memory(Op.i32Store, offset);
  }

  public eqz(): this {
    return this.#op(Op.i32Eqz);
  }

  public eq(): this {
    return this.#op(Op.i32Eq);
  }

  public ne(): this {
    return this.#op(Op.i32Ne);
  }

  /** Unsigned a < b. */
  public ltU(): this {
    return this.#op(Op.i32LtU);
  }

  /** Unsigned a > b. */
  public gtU(): this {
    return this.#op(Op.i32GtU);
  }

  /** Unsigned a <= b. */
  public leU(): this {
    return this.#op(Op.i32LeU);
  }

  /** Unsigned a >= b. */
  public geU(): this {
    return this.#op(Op.i32GeU);
  }

  public add(): this {
    return this.#op(Op.i32Add);
  }

  public sub(): this {
    return this.#op(Op.i32Sub);
  }

  public and(): this {
    return this.#op(Op.i32And);
  }

  public or(): this {
    return this.#op(Op.i32Or);
  }

  public shl(): this {
    return this.#op(Op.i32Shl);
  }

  public shrU(): this {
    return this.#op(Op.i32ShrU);
  }

  /** The function's body as the code section holds it: its size, its locals, its instructions, `end`. */
  public body(): Uint8Array<ArrayBuffer> {
    const locals = this.#locals === 0 ? [0] : [1, ...unsignedLeb128(this.#locals), I32];
    const content = join([locals, this.#code, [Op.end]]);
    return join([unsignedLeb128(content.length), content]);
  }
}

/**
 * A module of one function `(i32 × params) -> i32`, exported as `functionName`, and its memory of
 * `memoryPages` pages of 64 KiB, exported as `memory`.
 *
 * @example
 * ```ts
 * const f = new FunctionBuilder(2);
 * f.get(f.params[0]!).get(f.params[1]!).add();
 * const { exports } = new WebAssembly.Instance(new WebAssembly.Module(wasmModule(f, 'sum', 1)));
 * ```
 */
export function wasmModule(f: FunctionBuilder, functionName: string, memoryPages: number): Uint8Array<ArrayBuffer> {
  const type = [0x60, ...unsignedLeb128(f.params.length), ...f.params.map(() => I32), 1, I32];
  return join([
    [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    section(1, [type]),
    section(3, [[0]]),
    section(5, [[0x00, ...unsignedLeb128(memoryPages)]]), // limits: a minimum only
    section(7, [
      [...name(functionName), 0x00, 0],
      [...name('memory'), 0x02, 0],
    ]),
    section(10, [f.body()]),
  ]);
}

/** The part of the WebAssembly JavaScript API used here (TypeScript declares it only with the DOM library). */
interface WebAssemblyApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object) => { readonly exports: Record<string, unknown> };
}

/**
 * The exports of an instance of `bytes` (a module that imports nothing), or undefined where
 * WebAssembly cannot run (`node --jitless` has no `WebAssembly`) or the module does not compile.
 *
 * @example
 * ```ts
 * const exports = instantiateWasm(wasmModule(f, 'run', 1));
 * const run = exports?.run as ((x: number) => number) | undefined;
 * ```
 */
export function instantiateWasm(bytes: Uint8Array): Record<string, unknown> | undefined {
  const wasm = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (wasm === undefined) return undefined;
  try {
    return new wasm.Instance(new wasm.Module(bytes)).exports;
  } catch {
    return undefined;
  }
}
