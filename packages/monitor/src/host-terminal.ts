import { PassThrough, Writable } from 'node:stream';
import { ESCAPE_HELP, EscapeDecoder, type HostTerminalService } from '@plugboard/core';
import type { Monitor } from './monitor.js';
import { MonitorSession } from './session.js';

type Receive = (data: Uint8Array) => void;

export interface HostTerminalOptions {
  input?: NodeJS.ReadStream;
  output?: NodeJS.WriteStream;
  /** Ctrl-A x. */
  onQuit: () => void;
}

/**
 * The terminal the run was started from, shared as QEMU's `mon:stdio` shares
 * it: the guest's console (a UART on `stdio`) and the monitor take turns at
 * the input, Ctrl-A c switching; everything either prints goes out. Bound
 * under core's `Tokens.HostTerminal` so that `stdio` backends come here. It
 * touches stdin only once something listens, and puts it back on `close`.
 */
export class HostTerminal implements HostTerminalService {
  private readonly input: NodeJS.ReadStream;
  private readonly output: NodeJS.WriteStream;
  private readonly escapes: EscapeDecoder;
  private console: Receive | null = null;
  private monitor: { session: MonitorSession; input: PassThrough } | null = null;
  private focus: 'console' | 'monitor' = 'console';
  private reading = false;
  private wasRaw = false;
  private readonly onData = (chunk: Buffer) => this.escapes.feed(chunk);
  /** Called with everything about to reach the terminal, guest's or monitor's (the progress line gets out of the way). */
  beforeOutput: ((data: Uint8Array) => void) | null = null;

  constructor(options: HostTerminalOptions) {
    this.input = options.input ?? process.stdin;
    this.output = options.output ?? process.stdout;
    this.escapes = new EscapeDecoder({
      data: (bytes) => {
        if (this.focus === 'monitor') this.monitor?.input.write(bytes);
        else this.console?.(bytes);
      },
      quit: options.onQuit,
      switchFocus: () => this.switchFocus(),
      help: () => this.write(Buffer.from(`\r\n${ESCAPE_HELP}\r\n`)),
    });
  }

  /** A console or the monitor is on the terminal (so nothing else may take stdin and stdout). */
  get inUse(): boolean {
    return this.console !== null || this.monitor !== null;
  }

  /** The monitor has the keyboard (a person is typing at the prompt). */
  get monitorFocused(): boolean {
    return this.focus === 'monitor';
  }

  write(data: Uint8Array): void {
    this.beforeOutput?.(data);
    this.output.write(data);
  }

  attach(receive: Receive): void {
    this.console = receive;
    this.listen();
  }

  detach(receive: Receive): void {
    if (this.console === receive) this.console = null;
  }

  /** Puts `monitor` on this terminal: it has the focus at once unless a console is attached. */
  attachMonitor(monitor: Monitor): void {
    const input = new PassThrough();
    // The monitor's output goes through `write` too, so that `beforeOutput` sees every byte.
    const output = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.write(chunk);
        done();
      },
    });
    Object.defineProperty(output, 'columns', { get: () => this.output.columns });
    const session = new MonitorSession(monitor, input, output, this.output.isTTY === true);
    this.monitor = { session, input };
    this.listen();
    if (!this.console) {
      this.focus = 'monitor';
      session.show();
    }
  }

  close(): void {
    this.monitor?.session.close();
    this.monitor = null;
    if (!this.reading) return;
    this.reading = false;
    this.input.off('data', this.onData);
    this.input.pause();
    if (this.input.isTTY) this.input.setRawMode(this.wasRaw);
  }

  private switchFocus(): void {
    if (!this.monitor) return;
    this.focus = this.focus === 'monitor' ? 'console' : 'monitor';
    if (this.focus === 'monitor') {
      this.write(Buffer.from('\r\n'));
      this.monitor.session.show();
    }
  }

  private listen(): void {
    if (this.reading) return;
    this.reading = true;
    // Raw: Ctrl-C belongs to the guest (or the prompt); Ctrl-A x is the way out.
    if (this.input.isTTY) {
      this.wasRaw = this.input.isRaw;
      this.input.setRawMode(true);
    }
    this.input.on('data', this.onData);
    this.input.resume();
  }
}
