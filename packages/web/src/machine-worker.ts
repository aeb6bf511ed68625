import {
  type AbsolutePointerService,
  buildMachine,
  type DisplaySource,
  type Machine,
  type Ps2InputService,
  Tokens,
} from '@plugboard/core';
import type { X86Cpu } from '@plugboard/cpu-x86';
import { loadPageProfile } from './page-profile.js';
import { createPageRegistry } from './page-registry.js';
import { OverlayDrive } from './url-disk.js';
import { UrlFiles } from './url-files.js';
import { WebTerminal } from './web-terminal.js';
import type { DriveStatus, FrameRect, FromWorker, StartRequest, ToWorker } from './worker-protocol.js';

/**
 * The worker that runs a page's machine (the `plugboard-worker.js` bundle):
 * built from the profile the page sends, with the same packages as in Node;
 * COM1's output, the screen's damaged rectangles and the drives' state go
 * back as messages. The page stays responsive whatever a slice costs, and a
 * `url` drive may read a chunk with a synchronous request here.
 */
const scope = globalThis as unknown as {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
};

function post(message: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

const terminal = new WebTerminal();
let machine: Machine | null = null;
let runDone: Promise<unknown> | null = null;
let display: DisplaySource | null = null;
let input: Ps2InputService | null = null;
let tablet: AbsolutePointerService | null = null;
let shownGeneration = -1;
let shownSize = '';

// COM1's text goes to the page once per host turn, not once per byte the guest writes.
let serialPending = '';
terminal.onOutput((text) => {
  if (serialPending === '')
    setTimeout(() => {
      post({ type: 'serial', text: serialPending });
      serialPending = '';
    }, 0);
  serialPending += text;
});

function drives(): OverlayDrive[] {
  return (machine?.devices ?? []).map((d) => d.device).filter((d) => d instanceof OverlayDrive);
}

function driveStatus(): DriveStatus[] {
  return (machine?.devices ?? []).flatMap(({ id, device }) =>
    device instanceof OverlayDrive
      ? [
          {
            id,
            url: device.name,
            sectorSize: device.sectorSize,
            sectorCount: device.sectorCount,
            changedSectors: device.changedSectors,
            unsaved: device.unsaved,
            rangeRequests: device.rangeRequests,
            storeError: device.storeError?.message ?? null,
            storeKey: device.storeKey,
          },
        ]
      : [],
  );
}

async function start(request: StartRequest): Promise<void> {
  const started = performance.now();
  const files = new UrlFiles();
  for (const [name, data] of Object.entries(request.files)) files.addPicked(name, data);
  await Promise.all(request.firmwareDirs.map((d) => files.list(d)));
  const profile = await loadPageProfile(request.profile, request.base, request.overrides);
  machine = await buildMachine(profile, createPageRegistry(files), {
    files,
    firmwareDirs: request.firmwareDirs,
    services: new Map([[Tokens.HostTerminal, terminal]]),
    warn: (message) => post({ type: 'warning', message }),
  });
  const { container } = machine;
  display = container.isBound(Tokens.Display) ? container.get<DisplaySource>(Tokens.Display) : null;
  input = container.isBound(Tokens.Ps2Input) ? container.get<Ps2InputService>(Tokens.Ps2Input) : null;
  tablet = container.isBound(Tokens.AbsolutePointer)
    ? container.get<AbsolutePointerService>(Tokens.AbsolutePointer)
    : null;
  post({
    type: 'ready',
    name: profile.name,
    buildMs: performance.now() - started,
    display: display !== null,
    tablet: tablet !== null,
    drives: driveStatus(),
  });
  runDone = machine.run();
  const event = (await runDone) as { reason: string; exitCode: number };
  await Promise.all(drives().map((d) => d.saved()));
  post({ type: 'shutdown', event });
}

/** The screen's damaged rectangles since the last frame, each its own buffer to transfer. */
function frame(): void {
  if (!display || display.generation === shownGeneration) {
    post({ type: 'frame', width: 0, height: 0, rects: [] });
    return;
  }
  shownGeneration = display.generation;
  const { width, height, rgba, damage } = display.render();
  const size = `${width}x${height}`;
  const whole = size !== shownSize || !damage;
  shownSize = size;
  const rects: FrameRect[] = [];
  for (const r of whole ? [{ x: 0, y: 0, w: width, h: height }] : damage) {
    const pixels = new Uint8Array(r.w * r.h * 4);
    for (let row = 0; row < r.h; row++) {
      const from = ((r.y + row) * width + r.x) * 4;
      pixels.set(rgba.subarray(from, from + r.w * 4), row * r.w * 4);
    }
    rects.push({ ...r, pixels: pixels.buffer });
  }
  post(
    { type: 'frame', width, height, rects },
    rects.map((r) => r.pixels),
  );
}

async function stop(): Promise<void> {
  if (!machine) return;
  machine.requestShutdown('stopped from the page', 0);
  await runDone;
  await machine.destroy();
}

function reply(id: number, work: () => unknown): void {
  Promise.resolve()
    .then(work)
    .then(
      (value) => {
        const transfer = value instanceof Uint8Array ? [value.buffer as ArrayBuffer] : [];
        post({ type: 'reply', id, value }, transfer);
      },
      (err: unknown) => post({ type: 'reply', id, value: null, error: String(err) }),
    );
}

function failed(err: unknown): void {
  const error = err instanceof Error ? err : new Error(String(err));
  post({ type: 'error', message: error.message, name: error.name });
}

scope.onmessage = ({ data }) => {
  switch (data.type) {
    case 'start':
      start(data).catch(failed);
      break;
    case 'serial':
      terminal.type(data.text);
      break;
    case 'key':
      input?.key(data.code, data.down);
      break;
    case 'mouse':
      input?.mouse(data.dx, data.dy, data.dz, data.buttons);
      break;
    case 'pointer':
      tablet?.pointer(data.x, data.y, data.dz, data.buttons);
      break;
    case 'frame':
      frame();
      break;
    case 'request':
      if (data.what === 'status')
        reply(data.id, () => ({
          instructions: machine?.cpu?.instructionCount ?? 0,
          jit: (machine?.cpu as Partial<X86Cpu> | undefined)?.core?.jitStats() ?? null,
          drives: driveStatus(),
        }));
      else
        reply(data.id, () => {
          const drive = machine?.device(data.drive);
          if (!(drive instanceof OverlayDrive)) throw new Error(`${data.drive}: no url drive by that name`);
          return drive.changedImage();
        });
      break;
    case 'stop':
      stop().catch(failed);
      break;
  }
};
