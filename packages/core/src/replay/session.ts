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
