// The boot sequence in-process: maintenance mode until a config is applied, then running and ready; reboot and shutdown stages.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allControllers } from '../../controllers/index.js';
import { MACHINE_ID, MachineStatusType, RUNTIME_NAMESPACE, waitFor, type Resource } from '../../resources/index.js';
import { startMachined, type Machined } from './machined.js';

const status = { namespace: RUNTIME_NAMESPACE, type: MachineStatusType.type, id: MACHINE_ID };
const stageIs = (stage: string, ready: boolean) => (r: Resource | undefined) =>
  (r?.spec as { stage?: string; ready?: boolean } | undefined)?.stage === stage &&
  (r?.spec as { ready?: boolean }).ready === ready;

describe('machined boot sequence', () => {
  let dir: string;
  let node: Machined | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'osnode-boot-'));
  });
  afterEach(async () => {
    await node?.shutdown();
    node = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('waits in maintenance mode, then runs once a config is applied', async () => {
    node = await startMachined({ stateDir: dir, mode: 'container', controllers: allControllers() });
    expect(node.acquired.source).to.equal('none');
    const waiting = await waitFor(node.state, status, stageIs('maintenance', false));
    expect((waiting?.spec as { unmetConditions: { name: string }[] }).unmetConditions.map((c) => c.name)).to.deep.equal(
      ['config'],
    );
    const r = await node.applier.apply({ config: { version: 'v1alpha1', machine: { type: 'worker' } }, mode: 'auto' });
    expect(r.mode).to.equal('no-reboot');
    await waitFor(node.state, status, stageIs('running', true));
  });

  it('a config that needs a reboot stops the node in stage rebooting and calls onReboot', async () => {
    let rebooted = 0;
    node = await startMachined({
      stateDir: dir,
      mode: 'container',
      controllers: allControllers(),
      onReboot: () => rebooted++,
    });
    await node.applier.apply({ config: { version: 'v1alpha1', machine: { type: 'worker' } }, mode: 'auto' });
    const r = await node.applier.apply({
      config: { version: 'v1alpha1', machine: { type: 'controlplane' } },
      mode: 'auto',
    });
    expect(r.mode).to.equal('reboot');
    await waitFor(
      node.state,
      { ...status, type: 'MachineStage' },
      (x) => (x?.spec as { stage: string } | undefined)?.stage === 'rebooting',
    );
    await node.reboot();
    expect(rebooted).to.equal(1);
    // The next start uses the persisted config.
    await node.shutdown();
    node = await startMachined({ stateDir: dir, mode: 'container', controllers: allControllers() });
    expect(node.acquired.source).to.equal('persisted');
    expect(node.acquired.config).to.deep.include({ machine: { type: 'controlplane' } });
  });
});
