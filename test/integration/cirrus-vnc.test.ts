import type { DisplaySource } from '@plugboard/core';
import { CirrusVga, Renderer } from '@plugboard/dev-cirrus';
import { VncServer } from '@plugboard/display';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClient } from '../../packages/display/test/rfb-client.js';

/**
 * The Cirrus card's damage through the VNC server: a guest write to video
 * memory reaches a client as the lines in the written page, and nothing else.
 */
let server: VncServer | null = null;
let client: TestClient | null = null;
afterEach(async () => {
  client?.close();
  await server?.close();
});

/** 1024x768 at 5:6:5 with 2048-byte lines: a 4 KiB page is two lines. */
function hicolor(): { vga: CirrusVga; display: DisplaySource } {
  const vga = new CirrusVga();
  const reg = (index: number, i: number, v: number) => {
    vga.writePort(index, i);
    vga.writePort(index + 1, v);
  };
  vga.writePort(0x3c2, 0x67);
  reg(0x3c4, 0x06, 0x12);
  reg(0x3c4, 0x07, 0x07);
  vga.readPort(0x3da);
  vga.writePort(0x3c0, 0x10);
  vga.writePort(0x3c0, 0x01);
  vga.writePort(0x3c0, 0x20);
  for (const [i, v] of [
    [0x01, 0x7f],
    [0x12, 0xff],
    [0x07, 0x40],
    [0x13, 0x00],
    [0x1b, 0x10],
  ])
    reg(0x3d4, i, v);
  for (let i = 0; i < 4; i++) vga.readPort(0x3c6);
  vga.writePort(0x3c6, 0xc1);
  const renderer = new Renderer(vga.state, vga.dirty);
  return {
    vga,
    display: {
      get generation() {
        return vga.generation;
      },
      render: () => renderer.render(),
    },
  };
}

describe('Cirrus damage over VNC', () => {
  it('sends the lines of the written page only', async () => {
    const { vga, display } = hicolor();
    server = new VncServer({ host: '127.0.0.1', port: 0 });
    server.attach(display, null);
    await server.listen();
    client = await TestClient.connect(server.ports.tcp, 8);
    client.setEncodings([0]);
    client.request(false);
    expect(await client.update()).toEqual([{ x: 0, y: 0, w: 1024, h: 768, encoding: 0 }]);

    vga.linearWindow.write8(300 * 2048 + 20, 0x00);
    vga.linearWindow.write8(300 * 2048 + 21, 0xf8); // pixel (10, 300): red
    client.request(true);
    expect(await client.update()).toEqual([{ x: 0, y: 300, w: 1024, h: 2, encoding: 0 }]);
    expect(client.rgb(10, 300)).toEqual([255, 0, 0]);
  });
});
