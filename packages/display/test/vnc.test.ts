import { afterEach, describe, expect, it } from 'vitest';
import { VncServer } from '../src/vnc-server.js';
import { FakeDisplay, FakeInput } from './fakes.js';
import { type ClientFormat, TestClient } from './rfb-client.js';

const servers: VncServer[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

async function start(display = new FakeDisplay(), input: FakeInput | null = new FakeInput(), maxClients = 4) {
  const server = new VncServer({ host: '127.0.0.1', port: 0, maxClients, name: 'test screen' });
  server.attach(display, input);
  await server.listen();
  servers.push(server);
  return { server, display, input, port: server.ports.tcp };
}

async function client(port: number, version: 3 | 7 | 8 = 8): Promise<TestClient> {
  const c = await TestClient.connect(port, version);
  clients.push(c);
  return c;
}

/** Every pixel of the client's framebuffer against the display, through the client's format. */
function expectSamePicture(c: TestClient, d: FakeDisplay, tolerance = 0): void {
  expect([c.width, c.height]).toEqual([d.frame.width, d.frame.height]);
  let bad = 0;
  let first = '';
  for (let y = 0; y < c.height; y++)
    for (let x = 0; x < c.width; x++) {
      const got = c.rgb(x, y);
      const want = d.pixel(x, y);
      if (got.some((v, i) => Math.abs(v - want[i]) > tolerance)) {
        if (!bad) first = `(${x},${y}) got ${got} want ${want}`;
        bad++;
      }
    }
  expect(bad, first).toBe(0);
}

describe('handshake', () => {
  for (const version of [3, 7, 8] as const) {
    it(`serves an RFB 3.${version} client: ServerInit with the frame size, 32-bit true colour and the name`, async () => {
      const { port } = await start(new FakeDisplay(320, 200));
      const c = await client(port, version);
      expect([c.width, c.height, c.name]).toEqual([320, 200, 'test screen']);
      expect(c.format).toMatchObject({ bpp: 32, trueColour: true, max: [255, 255, 255], shift: [16, 8, 0] });
    });
  }

  it('shows black 640x480 when the machine has no display', async () => {
    const server = new VncServer({ host: '127.0.0.1', port: 0 });
    server.attach(null, null);
    await server.listen();
    servers.push(server);
    const c = await client(server.ports.tcp);
    expect([c.width, c.height]).toEqual([640, 480]);
    c.request(false);
    await c.update();
    expect(c.rgb(100, 100)).toEqual([0, 0, 0]);
  });
});

describe('listening', () => {
  it('names the address it cannot listen on', async () => {
    const { port } = await start();
    const second = new VncServer({ host: '127.0.0.1', port });
    await expect(second.listen()).rejects.toThrow(`vnc: cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
  });
});

describe('framebuffer updates', () => {
  it('sends the whole screen in Raw', async () => {
    const { port, display } = await start();
    const c = await client(port);
    c.setEncodings([0]);
    c.request(false);
    const rects = await c.update();
    expect(rects).toEqual([{ x: 0, y: 0, w: 320, h: 200, encoding: 0 }]);
    expectSamePicture(c, display);
  });

  for (const [name, encoding] of [
    ['ZRLE', 16],
    ['zlib', 6],
  ] as const) {
    it(`sends ${name}, then only what the display says changed, over one zlib stream`, async () => {
      const display = new FakeDisplay(300, 200); // partial tiles at the right and bottom edges
      const { port } = await start(display);
      const c = await client(port);
      c.setEncodings([encoding, 0]);
      c.request(false);
      expect((await c.update()).every((r) => r.encoding === encoding)).toBe(true);
      expectSamePicture(c, display);

      display.fill(70, 10, 20, 30, [255, 0, 0]);
      c.request(true);
      expect(await c.update()).toEqual([{ x: 70, y: 10, w: 20, h: 30, encoding }]);
      expectSamePicture(c, display);

      display.fill(250, 150, 50, 50, [0, 0, 255]); // the bottom-right corner
      display.fill(0, 160, 10, 10, [0, 255, 0]); // lines 160-169 now change in two places
      c.request(true);
      const rects = await c.update();
      expect(rects.map((r) => [r.x, r.y, r.w, r.h])).toEqual([
        [250, 150, 50, 10],
        [0, 160, 300, 10],
        [250, 170, 50, 30],
      ]);
      expectSamePicture(c, display);
    });
  }

  it('uses every ZRLE sub-encoding where it is smallest, and they decode', async () => {
    const display = new FakeDisplay(320, 128);
    const f = display.frame;
    const put = (x: number, y: number, r: number, g: number, b: number) =>
      f.rgba.set([r, g, b, 255], (y * 320 + x) * 4);
    for (let y = 0; y < 64; y++)
      for (let x = 0; x < 64; x++) {
        put(x, y, 10, 20, 30); // solid
        put(64 + x, y, (x >> 3) & 1 ? 255 : 0, 0, 0); // two colours: packed palette
        put(128 + x, y, ((y * 64 + x) >> 4) % 40, 0, 0); // 40 colours in runs of 16: palette RLE
        put(192 + x, y, y * 4, x >> 5, 7); // 128 colours in runs of 32: plain RLE
      }
    for (let i = 0; i < 64 * 64; i++) {
      // 128 colours then one long run: plain RLE with run lengths of many bytes.
      put(256 + (i % 64), i >> 6, i < 128 ? i : 200, i < 128 ? 255 - i : 200, 9);
      // 20 colours then one long run: palette RLE with a long run.
      put(64 + (i % 64), 64 + (i >> 6), i < 20 ? i * 10 : 250, 1, 2);
    }
    const { port } = await start(display); // the rest of the gradient below is raw
    const c = await client(port);
    c.setEncodings([16]);
    c.request(false);
    await c.update();
    expectSamePicture(c, display);
    expect([...c.subencodings].sort()).toEqual(['packed', 'paletteRle', 'raw', 'rle', 'solid']);
  });

  it('answers an incremental request only once the screen changes, and renders nothing until then', async () => {
    const { port, display } = await start();
    const c = await client(port);
    c.setEncodings([16]);
    c.request(false);
    await c.update();
    const renders = display.renders;
    c.request(true);
    await new Promise((r) => setTimeout(r, 150));
    expect(display.renders).toBe(renders); // same generation: no render
    display.fill(0, 0, 1, 1, [1, 2, 3]);
    expect(await c.update()).toEqual([{ x: 0, y: 0, w: 1, h: 1, encoding: 16 }]);
    expect(c.rgb(0, 0)).toEqual([1, 2, 3]);
  });

  it('sends the whole screen when a frame does not follow the one before (unknown damage, a render in between)', async () => {
    const { port, display } = await start();
    const c = await client(port);
    c.setEncodings([0]);
    c.request(false);
    await c.update();
    display.replace(FakeDisplay.gradient(320, 200)); // a source that does not say what changed
    c.request(true);
    expect(await c.update()).toEqual([{ x: 0, y: 0, w: 320, h: 200, encoding: 0 }]);
    display.fill(5, 5, 2, 2, [9, 9, 9]);
    display.render(); // a screenshot: its damage never reaches the VNC clients
    display.fill(100, 100, 1, 1, [8, 8, 8]);
    c.request(true);
    expect(await c.update()).toEqual([{ x: 0, y: 0, w: 320, h: 200, encoding: 0 }]);
    expect(c.rgb(5, 5)).toEqual([9, 9, 9]);
  });

  it('keeps damage outside an incremental request for a later one', async () => {
    const { port, display } = await start();
    const c = await client(port);
    c.setEncodings([0]);
    c.request(false);
    await c.update();
    display.fill(10, 10, 4, 4, [1, 1, 1]);
    display.fill(200, 150, 4, 4, [2, 2, 2]);
    c.request(true, 0, 0, 100, 100);
    expect(await c.update()).toEqual([{ x: 10, y: 10, w: 4, h: 4, encoding: 0 }]);
    c.request(true);
    expect(await c.update()).toEqual([{ x: 200, y: 150, w: 4, h: 4, encoding: 0 }]);
    expect(c.rgb(200, 150)).toEqual([2, 2, 2]);
  });

  it('renders once a generation for every client', async () => {
    const { port, display } = await start();
    const a = await client(port);
    const b = await client(port);
    a.request(false);
    b.request(false);
    await Promise.all([a.update(), b.update()]);
    const renders = display.renders;
    display.fill(100, 100, 10, 10, [9, 9, 9]);
    a.request(true);
    b.request(true);
    const [ra, rb] = await Promise.all([a.update(), b.update()]);
    expect(ra).toEqual(rb);
    expect(display.renders).toBe(renders + 1);
    expectSamePicture(a, display);
    expectSamePicture(b, display);
  });

  it('sends only the requested area', async () => {
    const { port, display } = await start();
    const c = await client(port);
    c.request(false, 10, 20, 30, 40);
    expect(await c.update()).toEqual([{ x: 10, y: 20, w: 30, h: 40, encoding: 0 }]);
    expect(c.rgb(15, 25)).toEqual(display.pixel(15, 25));
    expect(c.rgb(5, 5)).toEqual([0, 0, 0]);
  });

  it('clips a request beyond the screen', async () => {
    const { port } = await start();
    const c = await client(port);
    c.request(false, 300, 190, 1000, 1000);
    expect(await c.update()).toEqual([{ x: 300, y: 190, w: 20, h: 10, encoding: 0 }]);
  });

  it('announces a mode change with DesktopSize, then sends the new screen', async () => {
    const { port, display } = await start(new FakeDisplay(320, 200));
    const c = await client(port);
    c.setEncodings([16, -223]);
    c.request(false);
    await c.update();
    display.replace(FakeDisplay.gradient(640, 480));
    c.request(true);
    expect(await c.update()).toEqual([{ x: 0, y: 0, w: 640, h: 480, encoding: -223 }]);
    c.request(true); // incremental, yet the client has nothing of the new mode
    expect(await c.update()).toEqual([{ x: 0, y: 0, w: 640, h: 480, encoding: 16 }]);
    expectSamePicture(c, display);
  });

  it('crops a new mode to the old size for a client without DesktopSize', async () => {
    const { port, display } = await start(new FakeDisplay(320, 200));
    const c = await client(port);
    c.request(false);
    await c.update();
    display.replace(FakeDisplay.gradient(200, 100));
    c.request(false);
    await c.update();
    expect([c.width, c.height]).toEqual([320, 200]);
    expect(c.rgb(199, 99)).toEqual(display.pixel(199, 99));
    expect(c.rgb(250, 150)).toEqual([0, 0, 0]);
  });
});

describe('SetPixelFormat', () => {
  const formats: [string, ClientFormat][] = [
    [
      '32-bit big-endian RGBX',
      { bpp: 32, bigEndian: true, trueColour: true, max: [255, 255, 255], shift: [24, 16, 8] },
    ],
    ['16-bit RGB565', { bpp: 16, bigEndian: false, trueColour: true, max: [31, 63, 31], shift: [11, 5, 0] }],
    [
      '16-bit big-endian RGB555',
      { bpp: 16, bigEndian: true, trueColour: true, max: [31, 31, 31], shift: [10, 5, 0] },
    ],
    ['8-bit BGR233', { bpp: 8, bigEndian: false, trueColour: true, max: [7, 7, 3], shift: [0, 3, 6] }],
  ];
  for (const [name, format] of formats) {
    for (const encoding of [0, 16]) {
      it(`converts to ${name} (encoding ${encoding})`, async () => {
        const { port, display } = await start();
        const c = await client(port);
        c.setPixelFormat(format);
        c.setEncodings([encoding]);
        c.request(false);
        await c.update();
        expectSamePicture(c, display, Math.ceil(255 / Math.min(...format.max) / 2));
      });
    }
  }

  it('gives a colour-mapped client a 3-3-2 colour map', async () => {
    const { port, display } = await start();
    const c = await client(port);
    c.setPixelFormat({ bpp: 8, bigEndian: false, trueColour: false, max: [0, 0, 0], shift: [0, 0, 0] }, 8);
    c.request(false);
    await c.update();
    expect(c.colourMap).toHaveLength(256);
    expectSamePicture(c, display, 43);
  });
});

describe('input', () => {
  it('turns keysyms into US key names', async () => {
    const { port, input } = await start();
    const c = await client(port);
    const keys: [number, string][] = [
      [0x61, 'KeyA'],
      [0x5a, 'KeyZ'],
      [0x21, 'Digit1'],
      [0x30, 'Digit0'],
      [0x7e, 'Backquote'],
      [0x3f, 'Slash'],
      [0x22, 'Quote'],
      [0x20, 'Space'],
      [0xff0d, 'Enter'],
      [0xff1b, 'Escape'],
      [0xffbe, 'F1'],
      [0xffc9, 'F12'],
      [0xffe1, 'ShiftLeft'],
      [0xffe4, 'ControlRight'],
      [0xffe9, 'AltLeft'],
      [0xfe03, 'AltRight'],
      [0xffeb, 'MetaLeft'],
      [0xff52, 'ArrowUp'],
      [0xff56, 'PageDown'],
      [0xffff, 'Delete'],
      [0xff63, 'Insert'],
      [0xffb7, 'Numpad7'],
      [0xff95, 'Numpad7'],
      [0xff8d, 'NumpadEnter'],
      [0xffaf, 'NumpadDivide'],
      [0xff13, 'Pause'],
      [0xff61, 'PrintScreen'],
    ];
    for (const [keysym] of keys) {
      c.key(true, keysym);
      c.key(false, keysym);
    }
    c.key(true, 0x20ac); // Euro sign: no US key, dropped
    c.key(true, 0x31);
    const events = await (input as FakeInput).waitFor(keys.length * 2 + 1);
    expect(events).toEqual([
      ...keys.flatMap(([, name]) => [
        { kind: 'key', name, down: true },
        { kind: 'key', name, down: false },
      ]),
      { kind: 'key', name: 'Digit1', down: true },
    ]);
  });

  it('takes QEMU extended key events as scancodes once acknowledged', async () => {
    const { port, input } = await start();
    const c = await client(port);
    c.setEncodings([0, -258]);
    expect(await c.update()).toEqual([{ x: 0, y: 0, w: 0, h: 0, encoding: -258 }]);
    c.qemuKey(true, 0x61, 0x1e); // A
    c.qemuKey(true, 0xff52, 0xc8); // E0 48: ArrowUp
    c.qemuKey(false, 0xff13, 0); // no scancode: falls back to the keysym
    expect(await (input as FakeInput).waitFor(3)).toEqual([
      { kind: 'code', code: 0x1e, down: true },
      { kind: 'code', code: 0xe048, down: true },
      { kind: 'key', name: 'Pause', down: false },
    ]);
  });

  it('turns absolute pointer positions into relative PS/2 movement, buttons and wheel clicks', async () => {
    const { port, input } = await start();
    const c = await client(port);
    c.pointer(0, 100, 100); // the first position: nothing to move from
    c.pointer(0, 110, 95);
    c.pointer(1, 110, 95); // left down
    c.pointer(1 | 4, 100, 100); // and right, moving
    c.pointer(2, 100, 100); // middle only
    c.pointer(8, 100, 100); // wheel up
    c.pointer(0, 100, 100);
    c.pointer(16, 100, 100); // wheel down
    c.pointer(16, 100, 100); // held: no second click
    c.pointer(0, 100, 100);
    expect(await (input as FakeInput).waitFor(8)).toEqual([
      { kind: 'mouse', dx: 10, dy: -5, dz: 0, buttons: 0 },
      { kind: 'mouse', dx: 0, dy: 0, dz: 0, buttons: 1 },
      { kind: 'mouse', dx: -10, dy: 5, dz: 0, buttons: 3 },
      { kind: 'mouse', dx: 0, dy: 0, dz: 0, buttons: 4 },
      { kind: 'mouse', dx: 0, dy: 0, dz: -1, buttons: 0 },
      { kind: 'mouse', dx: 0, dy: 0, dz: 0, buttons: 0 },
      { kind: 'mouse', dx: 0, dy: 0, dz: 1, buttons: 0 },
      { kind: 'mouse', dx: 0, dy: 0, dz: 0, buttons: 0 },
    ]);
  });

  it('gives an absolute pointer (a USB tablet) the position scaled to 0..0x7FFF, as QEMU does, and the mouse nothing', async () => {
    const display = new FakeDisplay(320, 200);
    const input = new FakeInput();
    const server = new VncServer({ host: '127.0.0.1', port: 0 });
    server.attach(display, input, input);
    await server.listen();
    servers.push(server);
    const c = await client(server.ports.tcp);
    c.pointer(0, 0, 0);
    c.pointer(1, 160, 100); // left down in the middle
    c.pointer(8, 319, 199); // wheel up in the far corner
    expect(await input.waitFor(3)).toEqual([
      { kind: 'pointer', x: 0, y: 0, dz: 0, buttons: 0 },
      {
        kind: 'pointer',
        x: Math.floor((160 * 0x7fff) / 320),
        y: Math.floor((100 * 0x7fff) / 200),
        dz: 0,
        buttons: 1,
      },
      {
        kind: 'pointer',
        x: Math.floor((319 * 0x7fff) / 320),
        y: Math.floor((199 * 0x7fff) / 200),
        dz: -1,
        buttons: 0,
      },
    ]);
  });

  it('shows the screen of a machine without a keyboard, dropping input', async () => {
    const { port, display } = await start(new FakeDisplay(), null);
    const c = await client(port);
    c.key(true, 0x61);
    c.pointer(1, 5, 5);
    c.request(false);
    await c.update();
    expectSamePicture(c, display);
  });

  it('skips ClientCutText and reads on', async () => {
    const { port, input } = await start();
    const c = await client(port);
    const text = Buffer.from('x'.repeat(5000));
    const head = Buffer.alloc(8);
    head[0] = 6;
    head.writeUInt32BE(text.length, 4);
    c.send(Buffer.concat([head, text.subarray(0, 100)]));
    c.send(text.subarray(100));
    c.key(true, 0x62);
    expect(await (input as FakeInput).waitFor(1)).toEqual([{ kind: 'key', name: 'KeyB', down: true }]);
  });
});

describe('hostile clients', () => {
  const cases: [string, (c: TestClient) => void][] = [
    ['an unknown message type', (c) => c.send([0x42, 0, 0, 0])],
    ['a ClientCutText over 1 MiB', (c) => c.send([6, 0, 0, 0, 0x00, 0x10, 0x00, 0x01])],
    ['a negative (extended) ClientCutText length', (c) => c.send([6, 0, 0, 0, 0xff, 0xff, 0xff, 0xf0])],
    ['a QEMU message without the extension', (c) => c.send([255, 0, 0, 1, 0, 0, 0, 0x61, 0, 0, 0, 0x1e])],
    [
      'a pixel format of 24 bits',
      (c) => c.send([0, 0, 0, 0, 24, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]),
    ],
    [
      'a channel past the pixel',
      (c) => c.send([0, 0, 0, 0, 16, 16, 0, 1, 0, 255, 0, 255, 0, 255, 12, 4, 0, 0, 0, 0]),
    ],
    [
      'a colour maximum that is no bit mask',
      (c) => c.send([0, 0, 0, 0, 32, 24, 0, 1, 0, 200, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]),
    ],
    ['too many encodings', (c) => c.send([2, 0, 0xff, 0xff])],
  ];
  for (const [name, send] of cases) {
    it(`closes the connection on ${name}, and keeps serving others`, async () => {
      const { server, port } = await start();
      const c = await client(port);
      send(c);
      await c.closedByServer();
      const other = await client(port);
      other.request(false);
      expect((await other.update()).length).toBe(1);
      expect(server.clients).toBe(1);
    });
  }

  it('closes the connection, not the process, when the display fails to render', async () => {
    const display = new FakeDisplay();
    const { port } = await start(display);
    const c = await client(port);
    c.request(false);
    await c.update();
    display.render = () => {
      throw new Error('renderer bug');
    };
    display.generation++;
    c.request(true); // answered from the poll timer
    await c.closedByServer();
  });

  it('sends no more updates to a client that does not read them', async () => {
    const { port } = await start(new FakeDisplay(1024, 768));
    const c = await client(port);
    c.socket.pause();
    for (let i = 0; i < 20; i++) {
      c.request(false);
      await new Promise((r) => setTimeout(r, 40));
    }
    c.setEncodings([0, -258]); // its acknowledgement marks where the queued updates end
    c.socket.resume();
    let updates = 0;
    while ((await c.update()).every((r) => r.encoding !== -258)) updates++;
    expect(updates).toBeLessThanOrEqual(3);
  });

  it('closes on a banner that is not RFB 3.x', async () => {
    const { port } = await start();
    const c = await TestClient.open(port);
    clients.push(c);
    await c.read(12);
    c.send(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    await c.closedByServer();
  });

  it('closes on a security type it did not offer', async () => {
    const { port } = await start();
    const c = await TestClient.open(port);
    clients.push(c);
    await c.read(12);
    c.send(Buffer.from('RFB 003.008\n'));
    await c.read(2);
    c.send([2]); // VNC authentication
    await c.closedByServer();
  });

  it('refuses clients beyond the limit', async () => {
    const { port } = await start(new FakeDisplay(), null, 2);
    await client(port);
    await client(port);
    const third = await TestClient.open(port);
    clients.push(third);
    await third.closedByServer();
  });

  it('survives garbage in every state', async () => {
    const { port } = await start();
    for (let seed = 1; seed <= 30; seed++) {
      const c = await TestClient.open(port);
      clients.push(c);
      let x = seed;
      const junk = Buffer.alloc(64 + seed * 16, 0).map(() => {
        x = (x * 1103515245 + 12345) & 0x7fffffff;
        return x >> 16;
      });
      c.send(Buffer.concat([Buffer.from('RFB 003.008\n\x01\x01'), junk]));
      c.close();
    }
    const c = await client(port);
    c.request(false);
    expect((await c.update()).length).toBe(1);
  });
});
