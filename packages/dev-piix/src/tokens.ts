/**
 * Container tokens the chipset binds for its own parts and for other packages.
 * Core's `Tokens` has none of these because they are PIIX-specific wiring.
 */
export const PiixTokens = {
  /** The host bridge's `ConfigMechanism1`; the PIIX3 plugs its reset control register into `port0cf9`. */
  ConfigMechanism1: Symbol.for('plugboard.piix.ConfigMechanism1'),
  /** The A20 gate (`A20Gate`): port 0x92 and the keyboard controller's A20GATE output, ORed. */
  A20: Symbol.for('plugboard.A20'),
  /** The I/O APIC's inputs (`InterruptSink`): the PIIX3 drives PIRQA-D onto pins 16-19. */
  IoApic: Symbol.for('plugboard.ioapic'),
  /** The 8237A pair's channel API (`IsaDmaController`), for ISA devices that use DMA. */
  IsaDma: Symbol.for('plugboard.isaDma'),
} as const;
