// A crash-safe on-disk journal for chosen namespaces: one JSON file per resource, written temp + fsync + rename.
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pointerString, type Pointer, type Resource } from '../resource.js';
import type { Journal } from './memory.js';

const TMP_MARK = '.tmp-';

/** A file-name-safe, collision-free name for a namespace, type or id (no `.`/`..`, no `/`). */
function safeName(s: string): string {
  const enc = encodeURIComponent(s).replace(/\./g, '%2E').replace(/\*/g, '%2A');
  return enc.length <= 200 ? enc : `h-${createHash('sha256').update(s).digest('hex')}`;
}

async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Keeps resources of the covered namespaces under `dir/<namespace>/<type>/<id>.json`.
 * A write resolves only once the file and its directory entry are on disk, so a SIGKILL
 * at any moment loses no acknowledged write; readers never see a half-written file.
 */
export class FileJournal implements Journal {
  private seq = 0;
  private readonly madeDirs = new Set<string>();

  constructor(
    readonly dir: string,
    private readonly namespaces: ReadonlySet<string>,
  ) {}

  covers(namespace: string): boolean {
    return this.namespaces.has(namespace);
  }

  async write(ptr: Pointer, next: Resource | null): Promise<void> {
    const dir = await this.collectionDir(ptr);
    const file = join(dir, `${safeName(ptr.id)}.json`);
    if (next === null) {
      await unlink(file).catch((e: unknown) => {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      });
      await fsyncPath(dir);
      return;
    }
    const tmp = `${file}${TMP_MARK}${process.pid}-${++this.seq}`;
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(`${JSON.stringify({ metadata: next.metadata, spec: next.spec })}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, file);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    await fsyncPath(dir);
  }

  /** Reads every journaled resource, removing temp files a crash left behind; a malformed file is an error naming it. */
  async load(): Promise<Resource[]> {
    const out: Resource[] = [];
    for (const ns of this.namespaces) {
      const nsDir = join(this.dir, safeName(ns));
      for (const typeDir of await listDir(nsDir)) {
        const tdir = join(nsDir, typeDir);
        for (const name of await listDir(tdir)) {
          const path = join(tdir, name);
          if (name.includes(TMP_MARK)) {
            await rm(path, { force: true });
            continue;
          }
          if (!name.endsWith('.json')) continue;
          out.push(parseFile(path, await readFile(path, 'utf8'), ns));
        }
      }
    }
    return out;
  }

  private async collectionDir(ptr: Pointer): Promise<string> {
    const nsDir = join(this.dir, safeName(ptr.namespace));
    const dir = join(nsDir, safeName(ptr.type));
    if (!this.madeDirs.has(dir)) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      // Make the new directory entries themselves durable.
      await fsyncPath(nsDir);
      await fsyncPath(this.dir);
      this.madeDirs.add(dir);
    }
    return dir;
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

function parseFile(path: string, text: string, namespace: string): Resource {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(`journal file ${path} is not valid JSON: restore it from a backup or remove it`, { cause: e });
  }
  const r = v as Partial<Resource> | null;
  const m = r?.metadata;
  if (r === null || typeof r !== 'object' || m === undefined || m.namespace !== namespace || typeof m.id !== 'string') {
    throw new Error(`journal file ${path} does not hold a resource of namespace ${namespace}`);
  }
  if (!Number.isInteger(m.version) || m.version < 1) {
    throw new Error(
      `journal file ${path}: ${pointerString(m)} has version ${String(m.version)}, expected a whole number >= 1`,
    );
  }
  return { metadata: m, spec: r.spec };
}
