// The containers and stats tables: the seed's `osctl ps` columns, talosctl's units, a NODE column for several nodes.
import { expect } from 'chai';
import { containerRows, namespaceOf, statRows } from './containers.js';

const web = {
  namespace: 'system',
  id: 'web',
  image: 'rootfs/web',
  pid: 42,
  status: 'RUNNING',
  podId: '',
  name: 'web',
  networkNamespace: '',
};

describe('osctl containers, stats', () => {
  it('prints NAMESPACE ID IMAGE PID STATUS, sorted, with - for a container without a task', () => {
    const rows = containerRows(
      [{ node: 'n1', containers: [web, { ...web, id: 'api', pid: 0, status: 'STOPPED' }] }],
      false,
    );
    expect(rows).to.deep.equal([
      'NAMESPACE   ID    IMAGE        PID   STATUS',
      'system      api   rootfs/web   -     STOPPED',
      'system      web   rootfs/web   42    RUNNING',
    ]);
  });

  it('adds a NODE column for several nodes, and prints memory in MB and CPU in seconds', () => {
    const rows = statRows(
      [
        {
          node: '10.5.0.2',
          stats: [{ namespace: 'system', id: 'web', memoryUsage: 1_500_000, cpuUsage: 2.5e9, podId: '', name: 'web' }],
        },
      ],
      true,
    );
    expect(rows).to.deep.equal([
      'NODE       NAMESPACE   ID    MEMORY(MB)   CPU(s)',
      '10.5.0.2   system      web   1.50         2.50',
    ]);
  });

  it('-k selects the Kubernetes namespace', () => {
    expect(namespaceOf({ kubernetes: true })).to.equal('k8s.io');
    expect(namespaceOf({})).to.equal('system');
  });
});
