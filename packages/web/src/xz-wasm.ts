import { initModule, streamBufferDecode } from 'node-liblzma-wasm/wasm';

/**
 * liblzma compiled to WebAssembly (node-liblzma's browser build), standing
 * in for the native `node-liblzma` in the machine worker's bundle: the same
 * XZ decoder with the x86 BCJ filter, so `linux-direct` decompresses the
 * same vmlinuz on the host in a page as in Node. `liblzma.wasm` is fetched
 * from next to the bundle; decoding is synchronous once it is compiled,
 * which `xzReady` waits for (the worker awaits it before building).
 */
let ready = false;
export const xzReady: Promise<void> = initModule().then(() => {
  ready = true;
});
xzReady.catch(() => {});

/** node-liblzma's `unxzSync`, for boot-linux: one whole XZ stream in, its bytes out. */
export function unxzSync(data: Uint8Array): Uint8Array {
  if (!ready) throw new Error('liblzma.wasm is not loaded (yet)');
  return streamBufferDecode(data);
}
