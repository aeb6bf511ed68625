const CTRL_A = 0x01;

/** What the multiplexer does with the keys after Ctrl-A. */
export interface EscapeHandlers {
  /** Bytes for whoever has the focus (the console or the monitor). */
  data(bytes: Uint8Array): void;
  /** Ctrl-A x: quit. */
  quit(): void;
  /** Ctrl-A c: switch between console and monitor (nothing without a monitor). */
  switchFocus?(): void;
  /** Ctrl-A h (or ?): print the escapes. */
  help?(): void;
}

export const ESCAPE_HELP = [
  'C-a h    print this help',
  'C-a x    exit emulator',
  'C-a c    switch between console and monitor',
  'C-a C-a  sends C-a',
].join('\r\n');

/**
 * QEMU's terminal escapes on a stdio console (needed because raw mode hands
 * Ctrl-C to the guest), shared by the front end's terminal and the plain
 * stdio backend: Ctrl-A starts an escape,
 * the next key says which; Ctrl-A Ctrl-A is one Ctrl-A for the focused side,
 * unknown escapes are dropped, as QEMU drops them. The state (an escape begun)
 * carries across chunks, since a terminal may deliver the two keys apart.
 */
export class EscapeDecoder {
  private escaped = false;

  constructor(private readonly handlers: EscapeHandlers) {}

  feed(chunk: Uint8Array): void {
    let start = 0;
    const flush = (end: number) => {
      if (end > start) this.handlers.data(chunk.subarray(start, end));
    };
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (this.escaped) {
        this.escaped = false;
        start = i + 1;
        if (byte === CTRL_A) start = i;
        else if (byte === 0x78 || byte === 0x58) this.handlers.quit();
        else if (byte === 0x63 || byte === 0x43) this.handlers.switchFocus?.();
        else if (byte === 0x68 || byte === 0x48 || byte === 0x3f) this.handlers.help?.();
      } else if (byte === CTRL_A) {
        flush(i);
        this.escaped = true;
      }
    }
    if (!this.escaped) flush(chunk.length);
  }
}
