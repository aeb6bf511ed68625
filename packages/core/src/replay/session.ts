import { createHash } from 'node:crypto';
import type { ResolvedProfile } from '../machine/profile.js';
import { UserError } from '../user-error.js';
import type { LogHeader } from './log-format.js';
import { readLog } from './log-format.js';
import { Recorder } from './recorder.js';
import { Replayer } from './replayer.js';

/** Sorted keys at every level, so the hash does not depend on how the files order them. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
  );
}

/** The profile a log belongs to: its name and the SHA-256 of the merged profile (every `extends` and override applied). */
export function profileIdentity(profile: ResolvedProfile): LogHeader['profile'] {
  const hash = createHash('sha256')
    .update(JSON.stringify(canonical(profile.merged)))
    .digest('hex');
  return { name: profile.name, hash };
}

/** `--record FILE`: a new log for a run of `profile` from power-on. */
export function startRecording(file: string, profile: ResolvedProfile): Recorder {
  return new Recorder(file, { profile: profileIdentity(profile), start: { kind: 'power-on' } });
}

/** `--replay FILE`: the log, refused unless it was recorded from power-on with this very profile. */
export function startReplay(file: string, profile: ResolvedProfile): Replayer {
  const log = readLog(file);
  const mine = profileIdentity(profile);
  if (log.header.profile.hash !== mine.hash)
    throw new UserError(
      `--replay ${file}: recorded with another profile (${log.header.profile.name}, sha256 ${log.header.profile.hash.slice(0, 12)}...), ` +
        `not this one (${mine.name}, sha256 ${mine.hash.slice(0, 12)}...): replay with the profile, overrides and options of the recording`,
    );
  if (log.header.start.kind !== 'power-on')
    throw new UserError(
      `--replay ${file}: it starts from a snapshot (${log.header.start.file}); this Plugboard replays from power-on only`,
    );
  return new Replayer(file, log);
}
