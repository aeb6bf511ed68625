import { createDeviceContext, createMachineParts, Tokens } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { parseDisplay } from '../src/display-address.js';
import { plugins, vncPlugin } from '../src/index.js';
import { FakeDisplay, FakeInput } from './fakes.js';
import { TestClient } from './rfb-client.js';

const system = { requestReset() {}, requestShutdown() {} };

describe('parseDisplay', () => {
  it('reads the spellings of QEMU -vnc', () => {
    expect(parseDisplay(':1', '127.0.0.1')).toEqual({ host: '127.0.0.1', display: 1, port: 5901 });
    expect(parseDisplay(3, '127.0.0.1')).toEqual({ host: '127.0.0.1', display: 3, port: 5903 });
    expect(parseDisplay('7', '::1')).toEqual({ host: '::1', display: 7, port: 5907 });
    expect(parseDisplay('0.0.0.0:2', '127.0.0.1')).toEqual({ host: '0.0.0.0', display: 2, port: 5902 });
    expect(parseDisplay('[::1]:0', '127.0.0.1')).toEqual({ host: '::1', display: 0, port: 5900 });
  });

  it('rejects what is no display', () => {
    expect(() => parseDisplay('vnc', 'h')).toThrow(/expected ":N"/);
    expect(() => parseDisplay(':60000', 'h')).toThrow(/0-59635/);
    expect(() => parseDisplay(-1, 'h')).toThrow(/0-59635/);
  });
});

describe('vnc plugin', () => {
  it('is a system plugin whose schema has defaults and no unknown keys', () => {
    expect(plugins).toContain(vncPlugin);
    expect(vncPlugin.kind).toBe('system');
    const schema = vncPlugin.configSchema as {
      additionalProperties: boolean;
      properties: Record<string, unknown>;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.host).toMatchObject({ default: '127.0.0.1' });
  });

  it('serves the display and input it finds in the container, and closes on destroy', async () => {
    const parts = createMachineParts({ memoryBytes: 1 << 20 });
    const display = new FakeDisplay(64, 32);
    const input = new FakeInput();
    parts.container.bind(Tokens.Display).toConstantValue(display);
    parts.container.bind(Tokens.Ps2Input).toConstantValue(input);
    const ctx = createDeviceContext(parts, system, { id: 'vnc0' });
    const display0 = 40000 + (process.pid % 5000); // a port no other test of this run uses
    const device = await vncPlugin.create(ctx, {
      display: `:${display0}`,
      host: '127.0.0.1',
      websocket: false,
      maxClients: 4,
    });
    await device.realize?.();
    expect(device.info?.()).toContain(`127.0.0.1:${5900 + display0} (display :${display0})`);
    const c = await TestClient.connect(5900 + display0);
    expect([c.width, c.height, c.name]).toEqual([64, 32, 'Plugboard vnc0']);
    c.key(true, 0xff0d);
    expect(await input.waitFor(1)).toEqual([{ kind: 'key', name: 'Enter', down: true }]);
    await device.destroy?.();
    await c.closedByServer();
    await expect(TestClient.open(5900 + display0)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('tolerates a machine with neither display nor keyboard', async () => {
    const parts = createMachineParts({ memoryBytes: 1 << 20 });
    const ctx = createDeviceContext(parts, system, { id: 'vnc0' });
    const display1 = 45000 + (process.pid % 5000);
    const device = await vncPlugin.create(ctx, {
      display: display1,
      host: '127.0.0.1',
      websocket: false,
      maxClients: 1,
    });
    await device.realize?.();
    const c = await TestClient.connect(5900 + display1);
    expect([c.width, c.height]).toEqual([640, 480]);
    c.key(true, 0x61);
    c.request(false);
    expect(await c.update()).toEqual([{ x: 0, y: 0, w: 640, h: 480, encoding: 0 }]);
    await device.destroy?.();
  });
});
