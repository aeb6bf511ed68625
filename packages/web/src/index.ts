export { CanvasScreen } from './canvas-screen.js';
export { bindInput } from './page-input.js';
export { loadPageProfile } from './page-profile.js';
export { createPageRegistry, Plugboard, type PlugboardEvents, type PlugboardOptions } from './plugboard.js';
export { HttpRangeSource, type ImageSource, MemorySource, OverlayDrive, urlDrivePlugin } from './url-disk.js';
export { UrlFiles } from './url-files.js';
export { WebTerminal } from './web-terminal.js';
export { WebSocketNet, type WebSocketNetConfig, webSocketNetPlugin } from './websocket-net.js';
