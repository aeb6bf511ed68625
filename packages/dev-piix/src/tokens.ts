/**
 * Container tokens the chipset binds for its own parts. Services other
 * packages use (the A20 gate) are core's `Tokens`.
 */
export const PiixTokens = {
  /** The host bridge's `ConfigMechanism1`; the PIIX3 plugs its reset control register into `port0cf9`. */
  ConfigMechanism1: Symbol.for('plugboard.piix.ConfigMechanism1'),
  /** The I/O APIC's inputs (`InterruptSink`): the PIIX3 drives PIRQA-D onto pins 16-19. */
  IoApic: Symbol.for('plugboard.ioapic'),
} as const;
