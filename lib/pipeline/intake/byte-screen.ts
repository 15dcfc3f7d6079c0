import { BYTE_SCREEN_CAPACITY, BYTE_SCREEN_SLOTS, type ByteScreenStatus } from './byte-screen-constants.ts';
import { BYTE_SCREEN_WASM } from './byte-screen-wasm.ts';
import { instantiateWasm } from '../../shared/wasm-assembler.ts';

/**
 * The byte screen of one body: `bytes` takes its UTF-8 followed by a 0, `run(0, length)` reads it,
 * and `slots` holds what it found: [idStart, idEnd, typeStart, typeEnd], byte offsets of the
 * content between the quotes of the last top-level `id` and `type` read so far (start -1 when
 * absent or not a string). Its function is written in `byte-screen-program.ts`.
 */
export interface ByteScreen {
  readonly bytes: Uint8Array;
  readonly slots: Int32Array;
  /** Reads from the start (`from` 0) or resumes after a `Type` status (`from` its typeEnd): a {@link ByteScreenStatus}. */
  readonly run: (from: number, length: number) => ByteScreenStatus;
}

/**
 * A byte screen, or undefined where WebAssembly cannot run (`node --jitless`): callers then read
 * bodies as text.
 *
 * @example
 * ```ts
 * const screen = createByteScreen();
 * ```
 */
export function createByteScreen(): ByteScreen | undefined {
  const exports = instantiateWasm(Buffer.from(BYTE_SCREEN_WASM, 'base64'));
  if (exports === undefined) return undefined;
  const { buffer } = exports.memory as { buffer: ArrayBuffer };
  return {
    bytes: new Uint8Array(buffer, 0, BYTE_SCREEN_CAPACITY),
    slots: new Int32Array(buffer, BYTE_SCREEN_SLOTS, 4),
    run: exports.run as (from: number, length: number) => ByteScreenStatus,
  };
}
