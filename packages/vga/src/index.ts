export { VgaCard } from './card.js';
export { DIRTY_PAGE_SHIFT, DirtyPages } from './dirty.js';
export { VgaMemory } from './memory.js';
export * from './registers.js';
export { type CursorBox, Mode, OPAQUE, six, VgaRenderer } from './render.js';
export { createVgaRegisters, resetVgaRegisters, type VgaRegisters } from './state.js';
