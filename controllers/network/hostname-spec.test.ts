// HostnameSpecController: the spec is applied to the (fake) kernel, a change by hand is put back, and nothing spins.
import { execFile } from 'node:child_process';
import { expect } from 'chai';
import { HOSTNAME_ID, HostnameSpecType, NETWORK_NAMESPACE, putResource } from '../../resources/index.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { MemoryUts } from '../../runtime/index.js';
import { HostnameSpecController } from './hostname-spec.js';

const specPtr = { namespace: NETWORK_NAMESPACE, type: HostnameSpecType.type, id: HOSTNAME_ID };

describe('network.HostnameSpecController', () => {
  const h = useHarness({ types: [HostnameSpecType] });

  it('leaves the kernel alone without a spec, applies one, and puts back a change by hand', async () => {
    const uts = new MemoryUts('localhost', '');
    h().runtime.register(new HostnameSpecController(uts));
    h().start();
    await h().until(() => uts.watchers === 1, 'the controller to watch the names');
    expect(uts.sets).to.equal(0);

    await putResource(h().state, specPtr, { hostname: 'worker-1', domainname: 'example.com', layer: 'configuration' });
    await h().until(() => uts.hostname() === 'worker-1' && uts.domainname() === 'example.com', 'the spec applied');
    expect(uts.sets).to.equal(2);

    uts.setByHand('foo');
    await h().until(() => uts.hostname() === 'worker-1', 'the hostname put back');
    expect(uts.sets).to.equal(3);

    await putResource(h().state, specPtr, { hostname: 'worker-2', domainname: 'example.com', layer: 'configuration' });
    await h().until(() => uts.hostname() === 'worker-2', 'the new spec applied');
    // The domainname was right already: one more set, not two.
    expect(uts.sets).to.equal(4);
    await h().stop();
    expect(uts.watchers).to.equal(0);
  });
});

const DIST = new URL('../../', import.meta.url).href;

describe('network.HostnameSpecController with HostUts (in a child under unshare --uts)', () => {
  it('sets the kernel names and puts back `hostname foo` run by hand', async () => {
    const script = `
      import { execFileSync } from 'node:child_process';
      import { hostname } from 'node:os';
      import { createHarness } from '${DIST}runtime/controller/testing.js';
      import { HostnameSpecType, HostnameStatusType, putResource } from '${DIST}resources/index.js';
      import { HostUts } from '${DIST}runtime/index.js';
      import { HostnameSpecController } from '${DIST}controllers/network/hostname-spec.js';
      import { HostnameStatusController } from '${DIST}controllers/network/hostname-status.js';
      const h = await createHarness({ types: [HostnameSpecType, HostnameStatusType] });
      h.runtime.register(new HostnameSpecController(new HostUts()));
      h.runtime.register(new HostnameStatusController(new HostUts()));
      h.start();
      const out = {};
      const status = { namespace: 'network', type: 'HostnameStatus', id: 'hostname' };
      const names = (n, d) => (r) => r?.spec.hostname === n && r?.spec.domainname === d;
      await putResource(h.state, { namespace: 'network', type: 'HostnameSpec', id: 'hostname' },
        { hostname: 'spec-host', domainname: 'spec.test', layer: 'configuration' });
      await h.waitFor(status, names('spec-host', 'spec.test'));
      out.applied = hostname();
      execFileSync('hostname', ['foo']);
      await h.until(() => hostname() === 'spec-host' && execFileSync('hostname', { encoding: 'utf8' }).trim() === 'spec-host', 'put back');
      await h.waitFor(status, names('spec-host', 'spec.test'));
      out.healed = hostname();
      await h.stop();
      console.log(JSON.stringify(out));`;
    const out = await new Promise<string>((resolve, reject) => {
      execFile(
        'unshare',
        ['--uts', process.execPath, '--input-type=module', '-e', script],
        { timeout: 15_000 },
        (err, stdout, stderr) => {
          if (err === null) resolve(stdout);
          else reject(new Error(`${err.message}\n${stderr}`));
        },
      );
    });
    expect(JSON.parse(out)).to.deep.equal({ applied: 'spec-host', healed: 'spec-host' });
  });
});
