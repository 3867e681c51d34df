// Bundles machined (dist/runtime/machined/main.js and everything it imports) into one minified ES module: the daemon
// a node runs. One module instead of ~600 keeps ~6 MB less in each daemon's heap (sources without comments, unused
// exports of zod and the like left out), measured by e2e/bench/cluster.ts.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { MACHINED_ENV, MACHINED_NODE_FLAGS } from '../api/cli/cluster/processes.js';

/** The compiled entry point the bundle starts from. */
export const MACHINED_ENTRY = fileURLToPath(new URL('../runtime/machined/main.js', import.meta.url));

/**
 * The bundle: beside the entry, at the same depth below the project root, so that the paths the daemon finds by
 * `new URL('../../../…', import.meta.url)` (its .proto files, package.json) resolve as they do unbundled.
 */
export const MACHINED_BUNDLE = fileURLToPath(new URL('../runtime/machined/main.bundle.js', import.meta.url));

/**
 * The bundle's first line: run as a program (`npm run node`, `machined` on the PATH after `npm link`) it starts with
 * the environment and Node flags of a cluster's nodes (api/cli/cluster/processes.ts says why each).
 */
export const SHEBANG = `#!/usr/bin/env -S ${Object.entries(MACHINED_ENV)
  .map(([k, v]) => `${k}=${v} `)
  .join('')}node ${MACHINED_NODE_FLAGS.join(' ')}`;

/**
 * Packages left out of the bundle and loaded from node_modules: koffi loads a native addon found next to its own
 * files.
 */
const EXTERNAL = ['koffi'];

/**
 * CommonJS files that name `__dirname` (grpc-js and its reflection service read .proto files beside themselves) get
 * their own directory, found at run time relative to the bundle, so that a moved checkout keeps working.
 */
function dirnameOfEachFile(outDir: string): Plugin {
  return {
    name: 'dirname-of-each-file',
    setup(b) {
      b.onLoad({ filter: /[\\/]node_modules[\\/].*\.c?js$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('__dirname')) return undefined;
        const rel = JSON.stringify(relative(outDir, dirname(args.path)));
        return {
          contents: `var __dirname = __bundleDir(${rel});\n${source}`,
          loader: 'js',
          resolveDir: dirname(args.path),
        };
      });
    },
  };
}

/**
 * What the bundle needs before its first line: a `require` for the CommonJS packages inside it that load Node's
 * built-in modules, and the bundle's own directory.
 */
const BANNER = [
  "import { createRequire as __createRequire } from 'node:module';",
  "import { join as __join, dirname as __dirnameOf } from 'node:path';",
  "import { fileURLToPath as __fileURLToPath } from 'node:url';",
  'const require = __createRequire(import.meta.url);',
  'const __bundleDir = (rel) => __join(__dirnameOf(__fileURLToPath(import.meta.url)), rel);',
].join('\n');

/** Builds the bundle from the compiled entry; resolves with its size in bytes. */
export async function bundleMachined(entry = MACHINED_ENTRY, outfile = MACHINED_BUNDLE): Promise<number> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Identifiers minified too, names not kept (keeping them costs 1.6 MB of heap): our controllers and errors carry
    // their names as strings; only a stack trace shows minified names (read it with the map).
    minify: true,
    keepNames: false,
    external: EXTERNAL,
    banner: { js: BANNER },
    plugins: [dirnameOfEachFile(dirname(outfile))],
    // A map beside the bundle for reading a stack trace (node --enable-source-maps); nothing loads it otherwise.
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  // The entry's `#!/usr/bin/env node` becomes the nodes' command line (one line for one: the map stays right).
  const code = await readFile(outfile, 'utf8');
  if (!code.startsWith('#!')) throw new Error(`${outfile} does not start with the entry point's #! line`);
  await writeFile(outfile, SHEBANG + code.slice(code.indexOf('\n')));
  await chmod(outfile, 0o755);
  return Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
}

/** `node dist/image/bundle.js`: builds the bundle, printing where and how large. */
async function main(): Promise<void> {
  const bytes = await bundleMachined();
  process.stdout.write(
    `bundled machined: ${relative(process.cwd(), MACHINED_BUNDLE)} (${(bytes / 1e6).toFixed(1)} MB with its map)\n`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`bundle: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
