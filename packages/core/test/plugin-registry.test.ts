import { PluginRegistry } from '@plugboard/core';
import { describe, expect, it } from 'vitest';

describe('PluginRegistry', () => {
  it('names the package to install when a type is missing because a package is', () => {
    const registry = new PluginRegistry();
    expect(() => registry.require('i440fx')).toThrow(/^no plugin provides "i440fx" \(installed: none\)$/);
    registry.noteUninstalled('@plugboard/dev-piix');
    expect(() => registry.require('i440fx')).toThrow(
      'no plugin provides "i440fx" (installed: none); not installed: @plugboard/dev-piix (`npm install @plugboard/dev-piix`)',
    );
  });

  it('says how to install a plugin package that is not there, as a user error', async () => {
    const registry = new PluginRegistry();
    await expect(registry.load('plugboard-plugin-nope', process.cwd())).rejects.toThrow(
      /plugin package "plugboard-plugin-nope" is not installed .*`npm install plugboard-plugin-nope`/,
    );
    await expect(registry.load('plugboard-plugin-nope', process.cwd())).rejects.toHaveProperty(
      'name',
      'ConfigError',
    );
  });
});
