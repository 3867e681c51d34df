// A service's root filesystem directory built from host files: binaries, the shared libraries ldd lists, mount points.
//
// No registry is reachable from a node under test, and system services (etcd) are host packages: their root filesystem
// is the binary plus its libraries. A stamp file records what a build was made from (paths, sizes, mtimes), so an
// unchanged rootfs is not rebuilt; a build goes to a temporary directory renamed into place.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** What goes into a root filesystem. */
export interface RootfsOptions {
  /** The directory to make (its parent must be writable; siblings `<dir>.tmp-*` are used while building). */
  readonly dir: string;
  /** Absolute host paths of binaries (and other files), copied to the same path inside; libraries of ELF ones too. */
  readonly files: readonly string[];
  /** Symbolic links to make inside: path → target (e.g. `/bin/sh` → `busybox`). */
  readonly symlinks?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/** What {@link prepareRootfs} did. */
export interface RootfsResult {
  readonly dir: string;
  /** False when the stamp matched and nothing was done. */
  readonly built: boolean;
  /** Every host file copied in (files and libraries). */
  readonly files: readonly string[];
}

/** The stamp file inside a built rootfs. */
export const ROOTFS_STAMP = '.osnode-rootfs.json';

/** Directories every rootfs has: the spec's mount points, and where services expect to write. */
const DIRS = ['proc', 'dev', 'sys', 'tmp', 'run', 'etc', 'var', 'var/lib', 'var/log', 'bin', 'usr/bin'];

const ETC: Readonly<Record<string, string>> = {
  'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
  'etc/group': 'root:x:0:\nnogroup:x:65534:\n',
  'etc/hosts': '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n',
  'etc/nsswitch.conf': 'passwd: files\ngroup: files\nhosts: files dns\n',
};

/** Absolute paths of the libraries (and the loader) `path` needs; none for a static binary or a non-ELF file. */
export async function sharedLibraries(path: string, signal?: AbortSignal): Promise<string[]> {
  let stdout: string;
  try {
    ({ stdout } = await execFileP('ldd', [path], { signal, env: { LC_ALL: 'C', PATH: '/usr/bin:/bin' } }));
  } catch (e) {
    if (signal?.aborted === true) throw e;
    // ldd exits 1 for static binaries ("not a dynamic executable") and for files that are not ELF.
    return [];
  }
  const libs: string[] = [];
  for (const line of stdout.split('\n')) {
    const missing = /^\s*(\S+) => not found/.exec(line);
    if (missing !== null) throw new Error(`${path} needs ${missing[1] ?? '?'}, which ldd cannot find on this host`);
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (m?.[1] !== undefined) libs.push(m[1]);
  }
  return libs;
}

async function describe(paths: readonly string[]): Promise<string[][]> {
  return Promise.all(
    paths.map(async (p) => {
      const st = await stat(p);
      return [p, String(st.size), String(Math.trunc(st.mtimeMs)), (st.mode & 0o7777).toString(8)];
    }),
  );
}

/**
 * Makes `dir` a root filesystem holding `files` and their libraries at their host paths, the usual mount points, and a
 * minimal /etc (passwd, group, hosts, nsswitch.conf). Does nothing when the stamp shows the same inputs. Throws naming
 * the path when a file is missing or a library cannot be found.
 */
export async function prepareRootfs(o: RootfsOptions): Promise<RootfsResult> {
  const { dir, signal } = o;
  for (const f of o.files) {
    if (!isAbsolute(f))
      throw new Error(`root filesystem ${dir}: file ${JSON.stringify(f)} needs an absolute host path`);
    const st = await stat(f).catch(() => undefined);
    if (st?.isFile() !== true) throw new Error(`root filesystem ${dir}: ${f} is not a file on this host`);
  }
  const libs = (await Promise.all(o.files.map((f) => sharedLibraries(f, signal)))).flat();
  const all = [...new Set([...o.files, ...libs])].sort();
  const stamp = JSON.stringify({ version: 1, files: await describe(all), symlinks: o.symlinks ?? {} }, null, 1);
  const old = await readFile(join(dir, ROOTFS_STAMP), 'utf8').catch(() => undefined);
  if (old === stamp) return { dir, built: false, files: all };

  signal?.throwIfAborted();
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = `${dir}.tmp-${suffix}`;
  try {
    await mkdir(dirname(dir), { recursive: true });
    for (const d of DIRS) await mkdir(join(tmp, d), { recursive: true });
    await chmod(join(tmp, 'tmp'), 0o1777);
    for (const f of all) {
      const to = join(tmp, f);
      await mkdir(dirname(to), { recursive: true });
      await copyFile(f, to); // follows symlinks: the library lands under the name the loader asks for
      await chmod(to, (await stat(f)).mode & 0o7777);
    }
    for (const [path, target] of Object.entries(o.symlinks ?? {})) {
      const at = join(tmp, path);
      await mkdir(dirname(at), { recursive: true });
      await rm(at, { force: true });
      await symlink(target, at);
    }
    for (const [path, text] of Object.entries(ETC)) await writeFile(join(tmp, path), text, { mode: 0o644 });
    await writeFile(join(tmp, ROOTFS_STAMP), stamp);
    signal?.throwIfAborted();
    // Two renames: a directory cannot replace a non-empty one in one step. A container running from the old tree
    // keeps its files until they are removed below; callers rebuild before starting, not under a running service.
    const previous = `${dir}.old-${suffix}`;
    const hadOld = await rename(dir, previous).then(
      () => true,
      (e: unknown) => {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw e;
      },
    );
    await rename(tmp, dir);
    if (hadOld) await rm(previous, { recursive: true, force: true });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return { dir, built: true, files: all };
}
