import { type A20GateService, type DeviceContext, type PhysicalMemory, Tokens } from '@plugboard/core';

/** The name port 0x92 reports under. Every other name counts as the keyboard controller's A20GATE. */
export const PORT92_SOURCE = 'port92';

/**
 * The CPU's A20M# as the PIIX3 derives it: A20 is enabled while the keyboard
 * controller's A20GATE output or port 0x92 bit 1 (ALT_A20_GATE) is high.
 * A board without a keyboard controller that reports here leaves A20GATE
 * high, as QEMU's i8042 does from reset, so A20 is then always enabled.
 */
export class A20Gate implements A20GateService {
  private readonly sources = new Map<string, boolean>();

  constructor(private readonly memory: PhysicalMemory) {}

  setSource(name: string, enabled: boolean): void {
    this.sources.set(name, enabled);
    this.memory.setA20(this.enabled);
  }

  get enabled(): boolean {
    let kbcSeen = false;
    for (const [name, on] of this.sources) {
      if (on) return true;
      if (name !== PORT92_SOURCE) kbcSeen = true;
    }
    return !kbcSeen;
  }
}

/** The machine's A20 gate: the one bound under `Tokens.A20`, bound now if nobody has. */
export function a20GateOf(container: DeviceContext['container'], memory: PhysicalMemory): A20Gate {
  if (container.isBound(Tokens.A20)) return container.get<A20Gate>(Tokens.A20);
  const gate = new A20Gate(memory);
  container.bind(Tokens.A20).toConstantValue(gate);
  return gate;
}
