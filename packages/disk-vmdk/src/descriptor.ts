import { BlockError } from '@plugboard/core';
import { MAX_CAPACITY_SECTORS } from './sparse-header.js';

export type ExtentAccess = 'RW' | 'RDONLY' | 'NOACCESS';
export type ExtentType = 'SPARSE' | 'FLAT' | 'ZERO' | 'VMFS' | 'VMFSSPARSE';
const EXTENT_TYPES: readonly string[] = ['SPARSE', 'FLAT', 'ZERO', 'VMFS', 'VMFSSPARSE'];

export interface ExtentLine {
  access: ExtentAccess;
  /** Size in sectors. */
  sectors: number;
  type: ExtentType;
  /** The extent's file as written (relative to the descriptor); null for ZERO. */
  file: string | null;
  /** Sector offset into the file (FLAT and VMFS). */
  offset: number;
}

/** A disk descriptor: the text that says which extents make up the disk and what its parent is. */
export interface Descriptor {
  version: number;
  cid: number;
  /** 0xffffffff when the disk has no parent. */
  parentCid: number;
  createType: string;
  parentFileNameHint: string | null;
  extents: ExtentLine[];
  /** The disk database (`ddb.*` keys), in file order, values without quotes. */
  ddb: [string, string][];
}

export const NO_PARENT_CID = 0xffffffff;
/** createType values whose extents this package reads. */
export const CREATE_TYPES = [
  'monolithicSparse',
  'monolithicFlat',
  'twoGbMaxExtentSparse',
  'twoGbMaxExtentFlat',
  'streamOptimized',
  'vmfs',
  'vmfsSparse',
  'vmfsThin',
] as const;
/** Descriptors are small; anything larger is not one. */
export const MAX_DESCRIPTOR_BYTES = 1024 * 1024;

const EXTENT_RE = /^(RW|RDONLY|NOACCESS)\s+(\d+)\s+([A-Z]+)(?:\s+"([^"]*)"(?:\s+(\d+))?)?\s*$/;
const KEY_RE = /^([A-Za-z0-9_.]+)\s*=\s*(.*)$/;

function unquote(value: string): string {
  const v = value.trim();
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

/** Parses descriptor text; errors name `where` (the file and, for embedded ones, the offset) and the line. */
export function parseDescriptor(text: string, where: string): Descriptor {
  const fields = new Map<string, string>();
  const extents: ExtentLine[] = [];
  const ddb: [string, string][] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const bad = (what: string): never => {
      throw new BlockError(
        `${where}: descriptor line ${i + 1}: ${what}: ${JSON.stringify(line.slice(0, 80))}`,
        'format',
      );
    };
    const ext = EXTENT_RE.exec(line);
    if (ext) {
      const type = ext[3]!;
      if (!EXTENT_TYPES.includes(type))
        bad(`extent type ${type} is not supported (${EXTENT_TYPES.join(', ')})`);
      const sectors = Number(ext[2]);
      const offset = ext[5] === undefined ? 0 : Number(ext[5]);
      if (sectors > MAX_CAPACITY_SECTORS || !Number.isSafeInteger(offset)) {
        bad(`extent size or offset is absurd (limit ${MAX_CAPACITY_SECTORS} sectors)`);
      }
      if (type !== 'ZERO' && ext[4] === undefined) bad(`a ${type} extent needs a quoted file name`);
      extents.push({
        access: ext[1] as ExtentAccess,
        sectors,
        type: type as ExtentType,
        file: ext[4] ?? null,
        offset,
      });
      return;
    }
    const kv = KEY_RE.exec(line);
    if (!kv) bad('expected key=value or an extent line (RW <sectors> <type> "<file>" [offset])');
    const key = kv![1]!;
    const value = unquote(kv![2]!);
    if (key.startsWith('ddb.')) ddb.push([key, value]);
    else fields.set(key, value);
  });
  const hex = (key: string, fallback: number): number => {
    const v = fields.get(key);
    if (v === undefined) return fallback;
    if (!/^[0-9a-fA-F]{1,8}$/.test(v))
      throw new BlockError(`${where}: descriptor ${key}=${v} is not a 32-bit hex number`, 'format');
    return Number.parseInt(v, 16);
  };
  const createType = fields.get('createType');
  if (createType === undefined)
    throw new BlockError(`${where}: descriptor has no createType (not a VMDK descriptor?)`, 'format');
  if (!(CREATE_TYPES as readonly string[]).includes(createType)) {
    throw new BlockError(
      `${where}: descriptor createType "${createType}" is not supported (${CREATE_TYPES.join(', ')})`,
      'format',
    );
  }
  if (extents.length === 0) throw new BlockError(`${where}: descriptor lists no extents`, 'format');
  const version = Number(fields.get('version') ?? '1');
  if (!Number.isInteger(version) || version < 1 || version > 3) {
    throw new BlockError(
      `${where}: descriptor version=${fields.get('version')} is not supported (expected 1..3)`,
      'format',
    );
  }
  return {
    version,
    cid: hex('CID', 0),
    parentCid: hex('parentCID', NO_PARENT_CID),
    createType,
    parentFileNameHint: fields.get('parentFileNameHint') ?? null,
    extents,
    ddb,
  };
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

export function serializeDescriptor(d: Descriptor): string {
  const out = [
    '# Disk DescriptorFile',
    `version=${d.version}`,
    `CID=${hex8(d.cid)}`,
    `parentCID=${hex8(d.parentCid)}`,
  ];
  out.push(`createType="${d.createType}"`);
  if (d.parentFileNameHint !== null) out.push(`parentFileNameHint="${d.parentFileNameHint}"`);
  out.push('', '# Extent description');
  for (const e of d.extents) {
    let line = `${e.access} ${e.sectors} ${e.type}`;
    if (e.file !== null) line += ` "${e.file}"`;
    if (e.type === 'FLAT' || e.type === 'VMFS') line += ` ${e.offset}`;
    out.push(line);
  }
  out.push('', '# The Disk Data Base', '#DDB', '');
  for (const [k, v] of d.ddb) out.push(`${k} = "${v}"`);
  return `${out.join('\n')}\n`;
}
