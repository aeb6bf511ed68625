import type { Json, ShutdownEvent } from '@plugboard/core';
import { CanvasScreen } from './canvas-screen.js';
import { IndexedDbOverlayStore } from './overlay-store.js';
import { bindInput } from './page-input.js';
import type { DriveStatus, FromWorker, MachineStatus, ToWorker } from './worker-protocol.js';

export interface PlugboardOptions {
  /** A profile URL (relative to `base`) or the profile's JSON. */
  profile: string | Json;
  /** Layers merged over the profile, as `--set` does (a NIC swap, a kernel to boot). */
  overrides?: Json[];
  /**
   * Disks by drive id: an image URL (read by range requests, writes kept in
   * IndexedDB for that URL) or `picked:NAME`; each becomes a `url` drive,
   * which a controller takes by that id in the profile or an override (the
   * page: `ide.config.primary.master.drive: 'hda'`).
   */
  disks?: Record<string, string>;
  /** Where relative URLs (profiles, `firmware/`) resolve: the page's address unless given. */
  base?: string;
  /** Folders of firmware files, each with an index.json listing them (QEMU's -L); default `firmware/`. */
  firmwareDirs?: string[];
  /** Files the user picked, by the name the profile gives as `picked:NAME`. */
  files?: Record<string, Uint8Array>;
  /** Where the screen (a canvas) goes; none: no screen is drawn. */
  element?: HTMLElement | null;
  /** The machine's worker script: `plugboard-worker.js` next to this bundle unless given. */
  workerUrl?: string | URL;
  /** Build and run at once (default); else call `start()`. */
  autostart?: boolean;
}

export interface PlugboardEvents {
  /** Text COM1 printed. */
  'serial-output': string;
  /** A new picture on the canvas. */
  screen: { width: number; height: number };
  /** The run ended (power-off, reset with no-reboot, `stop()`). */
  shutdown: ShutdownEvent;
  /** Building or running failed. */
  error: Error;
}

/**
 * A machine in a page, in the spirit of v86's `V86`: built from a profile
 * with the same packages as in Node, in a worker (`machine-worker.ts`), so
 * the page stays responsive. The page keeps COM1's transcript, the canvas
 * inside `element` (the worker sends the screen's damaged rectangles, one
 * frame per animation frame at most) and the keyboard and mouse.
 */
export class Plugboard {
  screen: CanvasScreen | null = null;
  /** The profile's name, once built. */
  name = '';
  /** The `url` drives as they were when the machine was built. */
  drives: DriveStatus[] = [];
  /** Host milliseconds the worker took to build the machine, and when `start()` was called. */
  readonly timing = { buildMs: 0, startedAt: 0 };
  /** Settles when the machine is built and running. */
  readonly ready: Promise<void>;
  private worker: Worker | null = null;
  private transcript = '';
  private readonly events = new EventTarget();
  private unbindInput: (() => void) | null = null;
  private readyResolve!: () => void;
  private readyReject!: (err: Error) => void;
  private ended: (event: ShutdownEvent | null) => void = () => {};
  private readonly replies = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextRequest = 0;

  constructor(readonly options: PlugboardOptions) {
    this.ready = new Promise((resolve, reject) => {
      this.readyResolve = resolve;
      this.readyReject = reject;
    });
    this.ready.catch(() => {});
    if (options.autostart !== false) void this.start();
  }

  on<K extends keyof PlugboardEvents>(type: K, listener: (detail: PlugboardEvents[K]) => void): void {
    this.events.addEventListener(type, (e) => listener((e as CustomEvent<PlugboardEvents[K]>).detail));
  }

  private emit<K extends keyof PlugboardEvents>(type: K, detail: PlugboardEvents[K]): void {
    this.events.dispatchEvent(new CustomEvent(type, { detail }));
  }

  /** COM1's transcript so far. */
  serialText(): string {
    return this.transcript;
  }

  /** Types `text` on COM1, as the xterm.js terminal does. */
  sendSerial(text: string): void {
    this.send({ type: 'serial', text });
  }

  /** Instructions run so far, the translator's counters and the `url` drives' state (written sectors, those not yet stored). */
  status(): Promise<MachineStatus> {
    return this.request({ what: 'status' }) as Promise<MachineStatus>;
  }

  /** The image of `url` drive `drive` with every write applied, for a download. */
  changedImage(drive: string): Promise<Uint8Array> {
    return this.request({ what: 'image', drive }) as Promise<Uint8Array>;
  }

  /** Stops the machine, then forgets what was written to its `url` drives' images. */
  async resetDisks(): Promise<void> {
    await this.stop();
    for (const d of this.drives) if (d.storeKey) await new IndexedDbOverlayStore(d.storeKey).clear();
  }

  private send(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  private request(what: { what: 'status' } | { what: 'image'; drive: string }): Promise<unknown> {
    const id = this.nextRequest++;
    return new Promise((resolve, reject) => {
      if (!this.worker) {
        reject(new Error('the machine is not running'));
        return;
      }
      this.replies.set(id, { resolve, reject });
      this.send({ type: 'request', id, ...what });
    });
  }

  /** Builds the machine in a worker and runs it until it stops; resolves with how it stopped. */
  start(): Promise<ShutdownEvent | null> {
    this.timing.startedAt = performance.now();
    const base = this.options.base ?? document.baseURI;
    const worker = new Worker(this.options.workerUrl ?? new URL('plugboard-worker.js', import.meta.url), {
      type: 'module',
    });
    this.worker = worker;
    const done = new Promise<ShutdownEvent | null>((resolve) => {
      this.ended = resolve;
    });
    worker.onmessage = (e: MessageEvent<FromWorker>) => this.receive(e.data);
    worker.onerror = (e) => this.fail(new Error(`the machine's worker failed: ${e.message}`));
    const disks = Object.entries(this.options.disks ?? {});
    const overrides: Json[] = [
      ...(disks.length
        ? [{ drives: Object.fromEntries(disks.map(([id, url]) => [id, { type: 'url', config: { url } }])) }]
        : []),
      ...(this.options.overrides ?? []),
    ];
    this.send({
      type: 'start',
      profile: this.options.profile,
      overrides,
      base,
      firmwareDirs: (this.options.firmwareDirs ?? ['firmware/']).map((d) => new URL(d, base).href),
      files: this.options.files ?? {},
    });
    return done;
  }

  private receive(message: FromWorker): void {
    switch (message.type) {
      case 'serial':
        this.transcript += message.text;
        this.emit('serial-output', message.text);
        break;
      case 'frame':
        this.screen?.show(message);
        break;
      case 'ready':
        this.name = message.name;
        this.drives = message.drives;
        this.timing.buildMs = message.buildMs;
        if (message.display) this.attachScreen(message.tablet);
        this.readyResolve();
        break;
      case 'warning':
        console.warn(`plugboard: ${message.message}`);
        break;
      case 'reply': {
        const pending = this.replies.get(message.id);
        this.replies.delete(message.id);
        if (message.error) pending?.reject(new Error(message.error));
        else pending?.resolve(message.value);
        break;
      }
      case 'shutdown':
        this.emit('shutdown', message.event);
        this.finish(message.event);
        break;
      case 'error': {
        const error = new Error(message.message);
        error.name = message.name;
        this.fail(error);
        break;
      }
    }
  }

  private fail(error: Error): void {
    this.readyReject(error);
    this.emit('error', error);
    this.finish(null);
  }

  private finish(event: ShutdownEvent | null): void {
    this.screen?.stop();
    this.unbindInput?.();
    this.unbindInput = null;
    this.worker?.terminate();
    this.worker = null;
    for (const pending of this.replies.values()) pending.reject(new Error('the machine stopped'));
    this.replies.clear();
    this.ended(event);
  }

  private attachScreen(tablet: boolean): void {
    const element = this.options.element;
    if (!element) return;
    const canvas = document.createElement('canvas');
    canvas.className = 'plugboard-screen';
    element.appendChild(canvas);
    this.screen = new CanvasScreen(
      canvas,
      () => this.send({ type: 'frame' }),
      (width, height) => this.emit('screen', { width, height }),
    );
    this.screen.start();
    this.unbindInput = bindInput(canvas, {
      key: (code, down) => {
        this.send({ type: 'key', code, down });
        return true;
      },
      mouse: (dx, dy, dz, buttons) => this.send({ type: 'mouse', dx, dy, dz, buttons }),
      pointer: tablet ? (x, y, dz, buttons) => this.send({ type: 'pointer', x, y, dz, buttons }) : null,
    });
  }

  /** Powers the machine off (its drives' writes stored first) and ends its worker. */
  async stop(): Promise<void> {
    // A machine still being built is stopped once it runs (or is gone if the build failed).
    await this.ready.catch(() => {});
    if (!this.worker) return;
    const done = new Promise<void>((resolve) => this.on('shutdown', () => resolve()));
    this.send({ type: 'stop' });
    await done;
  }
}
