export { discoverTargets, TARGETS_DIR } from './discover.js';
export { MAX_INPUT, mutate } from './mutate.js';
export { MAX_OPS, Program, ProgramWriter } from './ops.js';
export { Random } from './random.js';
export {
  DEFAULT_LIMITS,
  type Finding,
  type FuzzLimits,
  type FuzzOptions,
  type FuzzReport,
  fuzz,
  memoryInUse,
  minimise,
  runOne,
} from './runner.js';
export type { FuzzTarget } from './target.js';
