import { UD } from '../core/constants.js';
import { installAlu } from './alu.js';
import { installControl } from './control.js';
import { installData } from './data.js';
import { installFpu } from './fpu.js';
import { installSimd } from './simd.js';
import { installString } from './string.js';
import { installSystem } from './system.js';
import type { Handler } from './table.js';

const undefinedOpcode: Handler = (c) => c.raise(UD);

/** The dispatch table. Opcodes no handler claims (SSE3 and later, prefixes reaching here) raise #UD. */
export const OPS: Handler[] = new Array<Handler>(1024).fill(undefinedOpcode);
installAlu(OPS);
installData(OPS);
installString(OPS);
installControl(OPS);
installSystem(OPS);
installFpu(OPS);
installSimd(OPS);

export type { Handler };
