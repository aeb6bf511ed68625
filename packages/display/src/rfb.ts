/** RFB protocol numbers (RFC 6143, plus the pseudo-encodings of the community registry). */

export const ClientMessage = {
  SetPixelFormat: 0,
  SetEncodings: 2,
  FramebufferUpdateRequest: 3,
  KeyEvent: 4,
  PointerEvent: 5,
  ClientCutText: 6,
  /** QEMU client messages; sub-type 0 is the extended key event. */
  Qemu: 255,
} as const;

export const ServerMessage = {
  FramebufferUpdate: 0,
  SetColourMapEntries: 1,
} as const;

export const Encoding = {
  Raw: 0,
  Zlib: 6,
  ZRLE: 16,
  DesktopSize: -223,
  QemuExtendedKeyEvent: -258,
} as const;

export const SecurityType = { None: 1, VncAuthentication: 2 } as const;

/** PointerEvent button-mask bits. */
export const Button = { Left: 1, Middle: 2, Right: 4, WheelUp: 8, WheelDown: 16 } as const;

/** The version the server announces. */
export const PROTOCOL_VERSION = 'RFB 003.008\n';
