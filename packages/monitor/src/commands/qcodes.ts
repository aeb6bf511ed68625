/**
 * QEMU's key names (QKeyCode, as `sendkey` takes them) to the `KeyboardEvent.code`
 * names core's Ps2InputService knows.
 */
// biome-ignore format: a table
export const QCODES: Readonly<Record<string, string>> = {
  shift: 'ShiftLeft', shift_r: 'ShiftRight', alt: 'AltLeft', alt_r: 'AltRight', altgr: 'AltRight',
  ctrl: 'ControlLeft', ctrl_r: 'ControlRight', menu: 'ContextMenu', compose: 'ContextMenu', esc: 'Escape',
  1: 'Digit1', 2: 'Digit2', 3: 'Digit3', 4: 'Digit4', 5: 'Digit5', 6: 'Digit6', 7: 'Digit7', 8: 'Digit8',
  9: 'Digit9', 0: 'Digit0', minus: 'Minus', equal: 'Equal', backspace: 'Backspace', tab: 'Tab',
  q: 'KeyQ', w: 'KeyW', e: 'KeyE', r: 'KeyR', t: 'KeyT', y: 'KeyY', u: 'KeyU', i: 'KeyI', o: 'KeyO',
  p: 'KeyP', bracket_left: 'BracketLeft', bracket_right: 'BracketRight', ret: 'Enter',
  a: 'KeyA', s: 'KeyS', d: 'KeyD', f: 'KeyF', g: 'KeyG', h: 'KeyH', j: 'KeyJ', k: 'KeyK', l: 'KeyL',
  semicolon: 'Semicolon', apostrophe: 'Quote', grave_accent: 'Backquote', backslash: 'Backslash',
  z: 'KeyZ', x: 'KeyX', c: 'KeyC', v: 'KeyV', b: 'KeyB', n: 'KeyN', m: 'KeyM', comma: 'Comma',
  dot: 'Period', slash: 'Slash', asterisk: 'NumpadMultiply', spc: 'Space', caps_lock: 'CapsLock',
  f1: 'F1', f2: 'F2', f3: 'F3', f4: 'F4', f5: 'F5', f6: 'F6', f7: 'F7', f8: 'F8', f9: 'F9', f10: 'F10',
  f11: 'F11', f12: 'F12', num_lock: 'NumLock', scroll_lock: 'ScrollLock', kp_divide: 'NumpadDivide',
  kp_multiply: 'NumpadMultiply', kp_subtract: 'NumpadSubtract', kp_add: 'NumpadAdd',
  kp_enter: 'NumpadEnter', kp_decimal: 'NumpadDecimal', sysrq: 'PrintScreen', print: 'PrintScreen',
  kp_0: 'Numpad0', kp_1: 'Numpad1', kp_2: 'Numpad2', kp_3: 'Numpad3', kp_4: 'Numpad4', kp_5: 'Numpad5',
  kp_6: 'Numpad6', kp_7: 'Numpad7', kp_8: 'Numpad8', kp_9: 'Numpad9', less: 'IntlBackslash',
  home: 'Home', pgup: 'PageUp', pgdn: 'PageDown', end: 'End', left: 'ArrowLeft', up: 'ArrowUp',
  down: 'ArrowDown', right: 'ArrowRight', insert: 'Insert', delete: 'Delete', meta_l: 'MetaLeft',
  meta_r: 'MetaRight', pause: 'Pause',
};
