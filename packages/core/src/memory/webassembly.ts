// The part of the WebAssembly JavaScript API Plugboard uses, typed here:
// TypeScript declares it only in its DOM libraries, which a Node package
// must not pull in. Node and browsers both provide it as a global.

/** A WebAssembly memory: its buffer is replaced only by `grow`, which Plugboard never calls. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

/** A table of functions; Plugboard fills it with exported WebAssembly functions. */
export interface WasmTable {
  set(index: number, value: unknown): void;
}

interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
  Table: new (descriptor: { element: 'anyfunc'; initial: number }) => WasmTable;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  /** Compiles off the calling thread (V8's background compile jobs); resolves on the event loop. */
  compile(bytes: Uint8Array): Promise<object>;
}

export const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
