/**
 * GDB's remote serial protocol framing: `$DATA#CS`, CS the sum of DATA's
 * bytes modulo 256 in two hex digits; `+`/`-` acknowledge; a lone 0x03
 * (Ctrl-C) interrupts. Bytes arrive in any split.
 */
export class PacketReader {
  private buffer = '';

  constructor(
    private readonly handlers: {
      packet: (data: string) => void;
      interrupt: () => void;
      /** A packet whose checksum did not match: the sender should resend. */
      corrupt: () => void;
    },
  ) {}

  feed(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      // Outside a packet only acknowledgements and Ctrl-C mean something.
      const start = this.buffer.indexOf('$');
      const before = start < 0 ? this.buffer : this.buffer.slice(0, start);
      if (before.includes('\x03')) this.handlers.interrupt();
      if (start < 0) {
        this.buffer = '';
        return;
      }
      const hash = this.buffer.indexOf('#', start);
      if (hash < 0 || hash + 2 >= this.buffer.length) {
        this.buffer = this.buffer.slice(start);
        // A peer that never ends a packet must not grow the buffer without bound.
        if (this.buffer.length > MAX_PACKET * 2) this.buffer = '';
        return;
      }
      const data = this.buffer.slice(start + 1, hash);
      const sum = Number.parseInt(this.buffer.slice(hash + 1, hash + 3), 16);
      this.buffer = this.buffer.slice(hash + 3);
      if (sum === checksum(data)) this.handlers.packet(data);
      else this.handlers.corrupt();
    }
  }
}

/** The largest packet we take (and say so in qSupported), in characters. */
export const MAX_PACKET = 0x4000;

export function checksum(data: string): number {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum = (sum + data.charCodeAt(i)) & 0xff;
  return sum;
}

/** DATA framed as a packet. */
export function framePacket(data: string): string {
  return `$${data}#${checksum(data).toString(16).padStart(2, '0')}`;
}

/** `n` as the target's little-endian bytes in hex (i386 registers: 4 bytes). */
export function hexLittleEndian(n: number, bytes = 4): string {
  let out = '';
  for (let i = 0; i < bytes; i++) out += ((n >>> (8 * i)) & 0xff).toString(16).padStart(2, '0');
  return out;
}

/** Little-endian hex back to a number; NaN when malformed. */
export function parseLittleEndian(hex: string): number {
  if (!/^[0-9a-fA-F]{2,8}$/.test(hex) || hex.length % 2 !== 0) return Number.NaN;
  let n = 0;
  for (let i = hex.length - 2; i >= 0; i -= 2) n = n * 256 + Number.parseInt(hex.slice(i, i + 2), 16);
  return n >>> 0;
}
