// Reading inputs and writing secret outputs for config generation: 0600 files, no clobbering without --force.
import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FileExistsError, fileError } from './errors.js';

/** One file to write: where, and its whole content. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
}

/** Options of {@link writePrivateFiles}. */
export interface WriteOptions {
  /** Overwrite files that exist; without it, existing files make the whole write fail before anything is written. */
  readonly force?: boolean;
  readonly signal?: AbortSignal;
}

/** Reads a UTF-8 text file; a missing or unreadable file becomes a FileAccessError naming it. */
export async function readTextFile(path: string, what: string, signal?: AbortSignal): Promise<string> {
  try {
    return await readFile(path, { encoding: 'utf8', ...(signal === undefined ? {} : { signal }) });
  } catch (e: unknown) {
    throw fileError(e, `read ${what}`, path);
  }
}

/** The paths among `paths` that exist (as anything: file, directory, dangling link). */
export async function existingPaths(paths: readonly string[], signal?: AbortSignal): Promise<string[]> {
  signal?.throwIfAborted();
  const found = await Promise.all(
    paths.map(async (p) => {
      try {
        await lstat(p);
        return true;
      } catch (e: unknown) {
        if (e instanceof Error && 'code' in e && e.code === 'ENOENT') return false;
        throw fileError(e, 'check', p);
      }
    }),
  );
  return paths.filter((_, i) => found[i] === true);
}

/**
 * Writes every file with mode 0600, creating parent directories. Without `force`, refuses (FileExistsError naming
 * them all) when any target exists, before writing anything. Each file is written to a temporary name and then
 * moved into place, so a reader never sees half a file and an overwritten file ends up 0600 too.
 */
export async function writePrivateFiles(files: readonly OutputFile[], options: WriteOptions = {}): Promise<void> {
  const { force = false, signal } = options;
  if (!force) {
    const existing = await existingPaths(
      files.map((f) => f.path),
      signal,
    );
    if (existing.length > 0) throw new FileExistsError(existing);
  }
  for (const dir of new Set(files.map((f) => dirname(f.path)))) {
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (e: unknown) {
      throw fileError(e, 'create directory', dir);
    }
  }
  for (const f of files) {
    signal?.throwIfAborted();
    await writeOne(f, force, signal);
  }
}

async function writeOne(f: OutputFile, force: boolean, signal: AbortSignal | undefined): Promise<void> {
  const tmp = join(dirname(f.path), `.${basename(f.path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, f.content, { mode: 0o600, flag: 'wx', ...(signal === undefined ? {} : { signal }) });
    // link() fails with EEXIST when the target appeared meanwhile: no-clobber stays atomic without --force.
    if (force) await rename(tmp, f.path);
    else await link(tmp, f.path);
  } catch (e: unknown) {
    await unlink(tmp).catch(() => undefined);
    if (e instanceof Error && 'code' in e && e.code === 'EEXIST') throw new FileExistsError([f.path]);
    throw fileError(e, 'write', f.path);
  }
  if (!force) await unlink(tmp).catch(() => undefined);
}
