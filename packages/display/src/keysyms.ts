/**
 * X keysyms (what RFB KeyEvent carries) to the `KeyboardEvent.code` names
 * the PS/2 keyboard takes, for a US layout: a shifted symbol maps to the key
 * that types it (`!` is Digit1), as the client sends Shift on its own.
 */

const LATIN1_KEYS = [
  [' ', 'Space'],
  ['1!', 'Digit1'],
  ['2@', 'Digit2'],
  ['3#', 'Digit3'],
  ['4$', 'Digit4'],
  ['5%', 'Digit5'],
  ['6^', 'Digit6'],
  ['7&', 'Digit7'],
  ['8*', 'Digit8'],
  ['9(', 'Digit9'],
  ['0)', 'Digit0'],
  ['-_', 'Minus'],
  ['=+', 'Equal'],
  ['[{', 'BracketLeft'],
  [']}', 'BracketRight'],
  ['\\|', 'Backslash'],
  [';:', 'Semicolon'],
  ['\'"', 'Quote'],
  ['`~', 'Backquote'],
  [',<', 'Comma'],
  ['.>', 'Period'],
  ['/?', 'Slash'],
] as const;

/** Keysyms outside Latin-1 (X11 keysymdef.h). */
// biome-ignore format: a table
const FUNCTION_KEYS: [number, string][] = [
  [0xff08, 'Backspace'], [0xff09, 'Tab'], [0xfe20, 'Tab'] /* ISO_Left_Tab: Shift+Tab */,
  [0xff0d, 'Enter'], [0xff13, 'Pause'], [0xff6b, 'Pause'] /* Break */, [0xff14, 'ScrollLock'],
  [0xff15, 'PrintScreen'] /* Sys_Req */, [0xff61, 'PrintScreen'], [0xff1b, 'Escape'],
  [0xff50, 'Home'], [0xff51, 'ArrowLeft'], [0xff52, 'ArrowUp'], [0xff53, 'ArrowRight'],
  [0xff54, 'ArrowDown'], [0xff55, 'PageUp'], [0xff56, 'PageDown'], [0xff57, 'End'],
  [0xff63, 'Insert'], [0xffff, 'Delete'], [0xff67, 'ContextMenu'], [0xff7f, 'NumLock'],
  [0xffe1, 'ShiftLeft'], [0xffe2, 'ShiftRight'], [0xffe3, 'ControlLeft'], [0xffe4, 'ControlRight'],
  [0xffe5, 'CapsLock'], [0xffe7, 'MetaLeft'], [0xffe8, 'MetaRight'], [0xffe9, 'AltLeft'],
  [0xffea, 'AltRight'], [0xffeb, 'MetaLeft'] /* Super_L */, [0xffec, 'MetaRight'],
  [0xfe03, 'AltRight'] /* ISO_Level3_Shift (AltGr) */, [0xff7e, 'AltRight'] /* Mode_switch */,
  // Keypad, with Num Lock on and off.
  [0xff8d, 'NumpadEnter'], [0xffaa, 'NumpadMultiply'], [0xffab, 'NumpadAdd'],
  [0xffac, 'NumpadDecimal'] /* KP_Separator */, [0xffad, 'NumpadSubtract'],
  [0xffae, 'NumpadDecimal'], [0xffaf, 'NumpadDivide'], [0xffbd, 'Equal'] /* KP_Equal */,
  [0xff95, 'Numpad7'] /* KP_Home */, [0xff96, 'Numpad4'] /* KP_Left */, [0xff97, 'Numpad8'] /* KP_Up */,
  [0xff98, 'Numpad6'] /* KP_Right */, [0xff99, 'Numpad2'] /* KP_Down */, [0xff9a, 'Numpad9'] /* KP_Prior */,
  [0xff9b, 'Numpad3'] /* KP_Next */, [0xff9c, 'Numpad1'] /* KP_End */, [0xff9d, 'Numpad5'] /* KP_Begin */,
  [0xff9e, 'Numpad0'] /* KP_Insert */, [0xff9f, 'NumpadDecimal'] /* KP_Delete */,
];

function buildTable(): Map<number, string> {
  const table = new Map<number, string>();
  for (const [chars, name] of LATIN1_KEYS) for (const c of chars) table.set(c.charCodeAt(0), name);
  for (let i = 0; i < 26; i++) {
    const name = `Key${String.fromCharCode(0x41 + i)}`;
    table.set(0x41 + i, name);
    table.set(0x61 + i, name);
  }
  for (let i = 0; i < 10; i++) table.set(0xffb0 + i, `Numpad${i}`);
  for (let i = 0; i < 12; i++) table.set(0xffbe + i, `F${i + 1}`);
  for (const [keysym, name] of FUNCTION_KEYS) table.set(keysym, name);
  return table;
}

const KEYSYMS = buildTable();

/** The key name for an X keysym, or undefined for keys a US keyboard lacks. */
export function keysymToCode(keysym: number): string | undefined {
  return KEYSYMS.get(keysym);
}

/**
 * A QEMU extended key event's XT keycode (0xe0-prefixed keys with bit 7 of
 * the prefix set, so E0 48 is 0xc8) to a set 1 code in the 0xe0xx form.
 */
export function xtKeycodeToSet1(keycode: number): number | undefined {
  if (keycode > 0 && keycode < 0x80) return keycode;
  if (keycode > 0x80 && keycode < 0x100) return 0xe000 | (keycode & 0x7f);
  return undefined;
}
