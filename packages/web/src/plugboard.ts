import * as bootLinux from '@plugboard/boot-linux';
import {
  buildMachine,
  type DevicePlugin,
  type DisplaySource,
  type Json,
  type Machine,
  type PluginPackage,
  PluginRegistry,
  type Ps2InputService,
  type ResolvedProfile,
  type ShutdownEvent,
  Tokens,
} from '@plugboard/core';
import * as cpuX86 from '@plugboard/cpu-x86';
import * as devCirrus from '@plugboard/dev-cirrus';
import * as devI8255x from '@plugboard/dev-i8255x';
import * as devIsa from '@plugboard/dev-isa';
import * as devPiix from '@plugboard/dev-piix';
import * as devRtl8139 from '@plugboard/dev-rtl8139';
import * as firmware from '@plugboard/firmware';
import * as fwCfg from '@plugboard/fw-cfg';
import * as net from '@plugboard/net';
import { CanvasScreen } from './canvas-screen.js';
import { bindInput } from './page-input.js';
import { loadPageProfile } from './page-profile.js';
import { urlDrivePlugin } from './url-disk.js';
import { UrlFiles } from './url-files.js';
import { WebTerminal } from './web-terminal.js';
import { webSocketNetPlugin } from './websocket-net.js';

/** The plugin packages a page carries: the seed machine's devices, the page's own netdev and drive. */
export function createPageRegistry(files: UrlFiles): PluginRegistry {
  const registry = new PluginRegistry();
  const packages = {
    '@plugboard/cpu-x86': cpuX86,
    '@plugboard/dev-piix': devPiix,
    '@plugboard/dev-isa': devIsa,
    '@plugboard/fw-cfg': fwCfg,
    '@plugboard/firmware': firmware,
    '@plugboard/boot-linux': bootLinux,
    '@plugboard/dev-cirrus': devCirrus,
    '@plugboard/dev-rtl8139': devRtl8139,
    '@plugboard/dev-i8255x': devI8255x,
    '@plugboard/net': net,
  };
  for (const [name, mod] of Object.entries(packages)) registry.addPackage(mod as PluginPackage, name);
  registry.add(webSocketNetPlugin as unknown as DevicePlugin, '@plugboard/web');
  registry.add(urlDrivePlugin(files) as unknown as DevicePlugin, '@plugboard/web');
  return registry;
}

export interface PlugboardOptions {
  /** A profile URL (relative to `base`) or the profile's JSON. */
  profile: string | Json;
  /** Layers merged over the profile, as `--set` does (a NIC swap, a kernel to boot). */
  overrides?: Json[];
  /** Where relative URLs (profiles, `firmware/`) resolve: the page's address unless given. */
  base?: string;
  /** Folders of firmware files, each with an index.json listing them (QEMU's -L); default `firmware/`. */
  firmwareDirs?: string[];
  /** Files the user picked, by the name the profile gives as `picked:NAME`. */
  files?: Record<string, Uint8Array>;
  /** Where the screen (a canvas) goes; none: no screen is drawn. */
  element?: HTMLElement | null;
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
 * with the same packages as in Node, COM1 on `terminal` (a WebTerminal that
 * xterm.js shows), the graphics card on a canvas inside `element`, keyboard
 * and mouse from that canvas.
 */
export class Plugboard {
  readonly terminal = new WebTerminal();
  readonly files = new UrlFiles();
  machine: Machine | null = null;
  profile: ResolvedProfile | null = null;
  screen: CanvasScreen | null = null;
  /** Host milliseconds from `start()` to the machine's first instruction, and to the run's end. */
  readonly timing = { buildMs: 0, startedAt: 0 };
  /** Settles when the machine is built and running. */
  readonly ready: Promise<void>;
  private readonly events = new EventTarget();
  private unbindInput: (() => void) | null = null;
  private runDone: Promise<ShutdownEvent> | null = null;
  private readyResolve!: () => void;
  private readyReject!: (err: Error) => void;

  constructor(readonly options: PlugboardOptions) {
    this.ready = new Promise((resolve, reject) => {
      this.readyResolve = resolve;
      this.readyReject = reject;
    });
    this.ready.catch(() => {});
    this.terminal.onOutput((text) => this.emit('serial-output', text));
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
    return this.terminal.text;
  }

  /** Types `text` on COM1, as the xterm.js terminal does. */
  sendSerial(text: string): void {
    this.terminal.type(text);
  }

  /** Builds the machine and runs it until it stops; resolves with how it stopped. */
  async start(): Promise<ShutdownEvent | null> {
    const started = performance.now();
    this.timing.startedAt = started;
    try {
      const base = this.options.base ?? document.baseURI;
      for (const [name, data] of Object.entries(this.options.files ?? {})) this.files.addPicked(name, data);
      const firmwareDirs = (this.options.firmwareDirs ?? ['firmware/']).map((d) => new URL(d, base).href);
      await Promise.all(firmwareDirs.map((d) => this.files.list(d)));
      this.profile = await loadPageProfile(this.options.profile, base, this.options.overrides);
      const machine = await buildMachine(this.profile, createPageRegistry(this.files), {
        files: this.files,
        firmwareDirs,
        services: new Map([[Tokens.HostTerminal, this.terminal]]),
        warn: (message) => console.warn(`plugboard: ${message}`),
      });
      this.machine = machine;
      this.timing.buildMs = performance.now() - started;
      this.attachScreen(machine);
      machine.hooks.shutdown.tap('web', (_m, event) => this.emit('shutdown', event));
      this.runDone = machine.run();
      this.readyResolve();
      const event = await this.runDone;
      this.screen?.draw();
      return event;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.readyReject(error);
      this.emit('error', error);
      return null;
    } finally {
      this.screen?.stop();
      this.unbindInput?.();
    }
  }

  private attachScreen(machine: Machine): void {
    const element = this.options.element;
    if (!element || !machine.container.isBound(Tokens.Display)) return;
    const canvas = document.createElement('canvas');
    canvas.className = 'plugboard-screen';
    element.appendChild(canvas);
    this.screen = new CanvasScreen(
      canvas,
      machine.container.get<DisplaySource>(Tokens.Display),
      (width, height) => this.emit('screen', { width, height }),
    );
    this.screen.start();
    if (machine.container.isBound(Tokens.Ps2Input))
      this.unbindInput = bindInput(canvas, machine.container.get<Ps2InputService>(Tokens.Ps2Input));
  }

  /** Powers the machine off and frees it. */
  async stop(): Promise<void> {
    const machine = this.machine;
    if (!machine) return;
    machine.requestShutdown('stopped from the page', 0);
    await this.runDone;
    await machine.destroy();
  }
}
