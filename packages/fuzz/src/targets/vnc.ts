import { Duplex } from 'node:stream';
import { FrameSource, RfbSession } from '@plugboard/display';
import type { FuzzTarget } from '../target.js';

const HANDSHAKE = [...Buffer.from('RFB 003.008\n', 'latin1'), 1, 1];

/**
 * Bytes a VNC client sends, after a 3.8 handshake: SetPixelFormat,
 * SetEncodings, update requests, key and pointer events, cut text. The
 * session closes on anything malformed; an exception it had to catch
 * ("internal error") is a finding.
 */
export const target: FuzzTarget = {
  name: 'vnc',
  seeds() {
    const pixelFormat = [0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0];
    const encodings = [2, 0, 0, 3, 0, 0, 0, 16, 0, 0, 0, 6, 0xff, 0xff, 0xff, 0x21];
    const update = [3, 0, 0, 0, 0, 0, 0, 16, 0, 8];
    const key = [4, 1, 0, 0, 0, 0, 0xff, 0x0d];
    const pointer = [5, 1, 0, 4, 0, 4];
    const cut = [6, 0, 0, 0, 0, 0, 0, 3, 97, 98, 99];
    return [
      Uint8Array.from([...HANDSHAKE, ...pixelFormat, ...encodings, ...update, ...key, ...pointer, ...cut]),
      Uint8Array.from([
        ...HANDSHAKE,
        ...encodings,
        ...update,
        3,
        1,
        0xff,
        0xf0,
        0xff,
        0xf0,
        0xff,
        0xff,
        0xff,
        0xff,
      ]),
    ];
  },
  async run(input) {
    // What the server writes goes nowhere; what the client sends arrives as 'data'.
    const stream = new Duplex({ read() {}, write: (_chunk, _encoding, done) => done() });
    const logs: string[] = [];
    const frames = new FrameSource(null);
    const session = new RfbSession(
      stream,
      { frames, input: () => null, name: 'fuzz', log: (m) => logs.push(m) },
      () => {},
    );
    // As a network would: in a few chunks.
    for (let at = 0; at < input.length; at += 97)
      stream.emit('data', Buffer.from(input.subarray(at, at + 97)));
    await new Promise<void>((r) => setImmediate(r));
    session.close();
    const internal = logs.find((m) => m.includes('internal error'));
    if (internal) throw new Error(internal);
  },
};
