import type { ResolvedProfile } from '../machine/profile.js';
import { profileHash } from '../machine/profile-hash.js';
import { UserError } from '../user-error.js';
import type { LogHeader } from './log-format.js';
import { readLog } from './log-format.js';
import { Recorder } from './recorder.js';
import { Replayer } from './replayer.js';

/** The profile a log belongs to: its name and `profileHash` (the machine it describes, as snapshots know it). */
export function profileIdentity(profile: ResolvedProfile): LogHeader['profile'] {
  return { name: profile.name, hash: profileHash(profile) };
}

/** Where a run starts: power-on, or a snapshot file (named, and known by its SHA-256). */
export type RunStart = LogHeader['start'];

const POWER_ON: RunStart = { kind: 'power-on' };

function describeStart(start: RunStart): string {
  return start.kind === 'power-on'
    ? 'power-on'
    : `the snapshot ${start.file} (sha256 ${start.hash.slice(0, 12)}...)`;
}

/** `--record FILE`: a new log for a run of `profile` from `start`. */
export function startRecording(file: string, profile: ResolvedProfile, start: RunStart = POWER_ON): Recorder {
  return new Recorder(file, { profile: profileIdentity(profile), start });
}

/**
 * `--replay FILE`: the log, refused unless it was recorded with this very
 * profile from the same start: power-on, or the same snapshot (by its hash,
 * wherever the file now is).
 */
export function startReplay(file: string, profile: ResolvedProfile, start: RunStart = POWER_ON): Replayer {
  const log = readLog(file);
  const mine = profileIdentity(profile);
  if (log.header.profile.hash !== mine.hash)
    throw new UserError(
      `--replay ${file}: recorded with another profile (${log.header.profile.name}, sha256 ${log.header.profile.hash.slice(0, 12)}...), ` +
        `not this one (${mine.name}, sha256 ${mine.hash.slice(0, 12)}...): replay with the profile, overrides and options of the recording`,
    );
  const then = log.header.start;
  const same =
    then.kind === start.kind && (then.kind === 'power-on' || then.hash === (start as { hash: string }).hash);
  if (!same)
    throw new UserError(
      `--replay ${file}: recorded from ${describeStart(then)}, and this run starts from ${describeStart(start)}` +
        (then.kind === 'snapshot'
          ? `: replay with --restore ${then.file}`
          : ': replay without --restore or -loadvm'),
    );
  return new Replayer(file, log);
}
