/** Delivery modes of an APIC interrupt message (Intel SDM vol. 3, 10.6.1). */
export const DeliveryMode = {
  Fixed: 0,
  LowestPriority: 1,
  SMI: 2,
  NMI: 4,
  INIT: 5,
  StartUp: 6,
  ExtINT: 7,
} as const;

export interface ApicMessage {
  destination: number;
  /** 0 physical, 1 logical. */
  destinationMode: number;
  deliveryMode: number;
  vector: number;
  /** 0 edge, 1 level. */
  triggerMode: number;
}

/** A local APIC as the system bus sees it. */
export interface ApicTarget {
  accepts(destination: number, destinationMode: number): boolean;
  deliver(message: ApicMessage): void;
}

/** An I/O APIC hearing EOIs for level-triggered vectors. */
export interface EoiListener {
  endOfInterrupt(vector: number): void;
}

/** The APIC message bus joining I/O APICs, local APICs and MSIs. */
export class ApicBus {
  private readonly targets: ApicTarget[] = [];
  private readonly listeners: EoiListener[] = [];

  addTarget(target: ApicTarget): void {
    this.targets.push(target);
  }

  addEoiListener(listener: EoiListener): void {
    this.listeners.push(listener);
  }

  get hasTargets(): boolean {
    return this.targets.length > 0;
  }

  send(message: ApicMessage): void {
    for (const target of this.targets) {
      if (!target.accepts(message.destination, message.destinationMode)) continue;
      target.deliver(message);
      // Lowest-priority arbitration between several CPUs is not modelled: the first wins.
      if (message.deliveryMode === DeliveryMode.LowestPriority) return;
    }
  }

  broadcastEoi(vector: number): void {
    for (const listener of this.listeners) listener.endOfInterrupt(vector);
  }
}
