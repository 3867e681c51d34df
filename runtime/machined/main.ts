// The machined executable: parses flags, starts the node, prints its resources, and stops cleanly on SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { allControllers } from '../../controllers/index.js';
import { MACHINE_TYPE_ID, CONFIG_NAMESPACE, MachineTypeType, waitFor } from '../../resources/index.js';
import { stderrLogger } from '../controller/index.js';
import { readConfigFile } from './config-source.js';
import { resourceTables } from './console.js';
import { startMachined } from './machined.js';

const USAGE = `usage: machined --state-dir DIR [--config FILE] [--once]
  --state-dir DIR   the node's state directory (the config namespace is kept in DIR/state)
  --config FILE     a machine config (YAML, v1alpha1) to apply at start; without it the persisted one is used
  --once            print the node's resources once the controllers have converged, then stop`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        'state-dir': { type: 'string' },
        config: { type: 'string' },
        once: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`machined: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const stateDir = values['state-dir'];
  if (stateDir === undefined) {
    process.stderr.write(`machined: --state-dir is required\n${USAGE}\n`);
    return 2;
  }
  const config = values.config === undefined ? undefined : await readConfigFile(values.config);
  const node = await startMachined({
    stateDir: resolve(stateDir),
    ...(config === undefined ? {} : { config }),
    controllers: allControllers(),
    logger: stderrLogger(),
  });
  const stopped = new Promise<void>((done) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const)
      process.once(sig, () => {
        done();
      });
  });
  // Converged when the MachineType controller has seen the config.
  await waitFor(
    node.state,
    { namespace: CONFIG_NAMESPACE, type: MachineTypeType.type, id: MACHINE_TYPE_ID },
    (r) => r !== undefined,
  );
  process.stdout.write(`machined is running; its resources:\n\n${await resourceTables(node.state)}\n\n`);
  if (!values.once) {
    process.stdout.write('Stop it with Ctrl-C.\n');
    await stopped;
  }
  await node.stop();
  const crashes = [...node.runtime.stats().values()].reduce((n, s) => n + s.crashes, 0);
  process.stdout.write(`machined stopped cleanly (${node.runtime.stats().size} controllers, ${crashes} crashes).\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // Bad input (an unreadable file, an invalid config) is reported as one line, never as a stack trace.
    process.stderr.write(`machined: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
