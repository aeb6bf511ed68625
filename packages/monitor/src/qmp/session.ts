import type { Machine } from '@plugboard/core';
import { MonitorError } from '../command.js';
import { COMMANDS } from '../commands/index.js';
import type { Monitor } from '../monitor.js';
import { JsonSplitter } from './json-stream.js';

type Json = Record<string, unknown>;

/** What the greeting says of the emulator. */
export interface QmpIdentity {
  /** Plugboard's version, `MAJOR.MINOR.MICRO`. */
  version: string;
}

/** A command's failure, as QMP reports it: `{"error": {"class", "desc"}}`. */
class QmpError extends Error {
  constructor(
    readonly errorClass: 'GenericError' | 'CommandNotFound',
    message: string,
  ) {
    super(message);
  }
}

/** A QMP command: arguments in, the `return` value out. */
type QmpCommand = (args: Json, session: QmpSession) => unknown | Promise<unknown>;

/** Runs the human monitor's command of that name (one implementation for both protocols). */
function hmp(name: string, args: string[] = []): QmpCommand {
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new Error(`no monitor command ${name}`);
  return async (_args, session) => {
    try {
      await command.run(session.machine, args);
    } catch (err) {
      throw new QmpError('GenericError', (err as Error).message);
    }
    return {};
  };
}

function stringArgument(args: Json, name: string): string {
  const value = args[name];
  if (typeof value !== 'string')
    throw new QmpError('GenericError', `Parameter '${name}' is missing or not a string`);
  return value;
}

/** The commands, by QMP name. */
const QMP_COMMANDS: Record<string, QmpCommand> = {
  qmp_capabilities: () => ({}),
  'query-status': (_a, s) => ({
    status: s.machine.isPaused ? 'paused' : 'running',
    singlestep: false,
    running: !s.machine.isPaused,
  }),
  'query-version': (_a, s) => {
    const [major, minor, micro] = s.identity.version.split('.').map((n) => Number.parseInt(n, 10) || 0);
    return { qemu: { major, minor, micro }, package: `Plugboard ${s.identity.version}` };
  },
  'query-commands': () => Object.keys(QMP_COMMANDS).map((name) => ({ name })),
  stop: hmp('stop'),
  cont: hmp('cont'),
  system_reset: async (args, s) => {
    s.events.hostReset = true;
    return hmp('system_reset')(args, s);
  },
  system_powerdown: async (args, s) => {
    const result = await hmp('system_powerdown')(args, s);
    s.events.emit('POWERDOWN', {});
    return result;
  },
  quit: async (args, s) => {
    s.events.hostQuit = true;
    return hmp('quit')(args, s);
  },
  screendump: (args, s) => hmp('screendump', [stringArgument(args, 'filename')])(args, s),
  eject: (args, s) =>
    hmp('eject', [...(args.force === true ? ['-f'] : []), stringArgument(args, 'device')])(args, s),
  'blockdev-change-medium': (args, s) => {
    const format = args.format === undefined ? [] : [stringArgument(args, 'format')];
    return hmp('change', [stringArgument(args, 'device'), stringArgument(args, 'filename'), ...format])(
      args,
      s,
    );
  },
  set_link: (args, s) => {
    if (typeof args.up !== 'boolean')
      throw new QmpError('GenericError', "Parameter 'up' is missing or not a boolean");
    return hmp('set_link', [stringArgument(args, 'name'), args.up ? 'on' : 'off'])(args, s);
  },
  'human-monitor-command': async (args, s) => {
    const line = stringArgument(args, 'command-line');
    const text = await s.monitor.execute(line);
    // QEMU's answer ends each line with CR LF, the last one too.
    return text ? `${text.replace(/\r?\n/g, '\r\n')}\r\n` : '';
  },
};

/**
 * The machine's events for every QMP client: taps the machine's hooks once
 * and hands each event to the sessions that finished negotiation.
 */
export class QmpEvents {
  readonly sessions = new Set<QmpSession>();
  /** The next RESET came from a QMP command, not from the guest. */
  hostReset = false;
  /** The next SHUTDOWN came from QMP's `quit`. */
  hostQuit = false;

  constructor(machine: Machine) {
    const hooks = machine.hooks;
    hooks.pause.tap('qmp', () => this.emit('STOP', {}));
    hooks.resume.tap('qmp', () => this.emit('RESUME', {}));
    hooks.reset.tap('qmp', () => {
      this.emit(
        'RESET',
        this.hostReset
          ? { guest: false, reason: 'host-qmp-system-reset' }
          : { guest: true, reason: 'guest-reset' },
      );
      this.hostReset = false;
    });
    hooks.shutdown.tap('qmp', (_m, event) =>
      this.emit(
        'SHUTDOWN',
        this.hostQuit
          ? { guest: false, reason: 'host-qmp-quit' }
          : { guest: true, reason: 'guest-shutdown', detail: event.reason },
      ),
    );
  }

  emit(event: string, data: Json): void {
    for (const s of this.sessions) s.event(event, data);
  }
}

/**
 * One QMP conversation: the greeting, capabilities negotiation, then one
 * command at a time in the order received, and the machine's events
 * (STOP, RESUME, RESET, SHUTDOWN, POWERDOWN) once negotiated.
 */
export class QmpSession {
  private negotiated = false;
  private queue: Promise<void> = Promise.resolve();
  private readonly splitter: JsonSplitter;

  constructor(
    readonly monitor: Monitor,
    readonly identity: QmpIdentity,
    readonly events: QmpEvents,
    /** Sends one JSON text (the transport ends it with CR LF). */
    private readonly send: (text: string) => void,
  ) {
    this.splitter = new JsonSplitter(
      (text) => {
        this.queue = this.queue.then(() => this.execute(text));
      },
      () => this.reply({ error: { class: 'GenericError', desc: 'JSON text too long' } }),
    );
    events.sessions.add(this);
  }

  get machine(): Machine {
    return this.monitor.machine;
  }

  /** The greeting QEMU sends first. */
  greet(): void {
    const [major, minor, micro] = this.identity.version.split('.').map((n) => Number.parseInt(n, 10) || 0);
    this.reply({
      QMP: {
        version: { qemu: { major, minor, micro }, package: `Plugboard ${this.identity.version}` },
        capabilities: [],
      },
    });
  }

  feed(chunk: string): void {
    this.splitter.feed(chunk);
  }

  /** The client left. */
  close(): void {
    this.events.sessions.delete(this);
  }

  /** An event, sent once capabilities are negotiated (QEMU sends none before). */
  event(event: string, data: Json): void {
    if (!this.negotiated) return;
    const now = Date.now();
    this.reply({
      event,
      data,
      timestamp: { seconds: Math.floor(now / 1000), microseconds: (now % 1000) * 1000 },
    });
  }

  private reply(value: Json): void {
    this.send(JSON.stringify(value));
  }

  private async execute(text: string): Promise<void> {
    let request: unknown;
    try {
      request = JSON.parse(text);
    } catch {
      this.reply({ error: { class: 'GenericError', desc: 'JSON parse error' } });
      return;
    }
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      this.reply({ error: { class: 'GenericError', desc: 'QMP input must be a JSON object' } });
      return;
    }
    const { execute, arguments: args = {}, id } = request as Json;
    const withId = (value: Json): Json => (id === undefined ? value : { ...value, id });
    try {
      if (typeof execute !== 'string') throw new QmpError('GenericError', "QMP input lacks member 'execute'");
      if (typeof args !== 'object' || args === null || Array.isArray(args))
        throw new QmpError('GenericError', "QMP input member 'arguments' must be an object");
      if (!this.negotiated && execute !== 'qmp_capabilities')
        throw new QmpError('CommandNotFound', "Expecting capabilities negotiation with 'qmp_capabilities'");
      if (this.negotiated && execute === 'qmp_capabilities')
        throw new QmpError(
          'CommandNotFound',
          'Capabilities negotiation is already complete, command ignored',
        );
      const command = Object.hasOwn(QMP_COMMANDS, execute) ? QMP_COMMANDS[execute] : undefined;
      if (!command) throw new QmpError('CommandNotFound', `The command ${execute} has not been found`);
      const result = await command(args as Json, this);
      if (execute === 'qmp_capabilities') this.negotiated = true;
      this.reply(withId({ return: result }));
    } catch (err) {
      if (err instanceof QmpError)
        this.reply(withId({ error: { class: err.errorClass, desc: err.message } }));
      else if (err instanceof MonitorError)
        this.reply(withId({ error: { class: 'GenericError', desc: err.message } }));
      else this.reply(withId({ error: { class: 'GenericError', desc: (err as Error).message } }));
    }
  }
}
