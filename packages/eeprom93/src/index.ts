export { Eeprom93Cx6 } from './eeprom93cx6.js';
