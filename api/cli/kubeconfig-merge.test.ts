// Merging kubeconfigs like talosctl: identical entries once, taken names renamed with references followed, --force replaces.
import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { kubeconfigFromBytes, mergeKubeconfig, type Kubeconfig } from './kubeconfig-merge.js';

function kubeconfig(cluster: string, server: string): Kubeconfig {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server } }],
    users: [{ name: `admin@${cluster}`, user: { token: server } }],
    contexts: [{ name: `admin@${cluster}`, context: { cluster, user: `admin@${cluster}` } }],
    'current-context': `admin@${cluster}`,
  };
}

describe('kubeconfig merge', () => {
  it('adds a new cluster and makes its context current', () => {
    const { config, notes } = mergeKubeconfig(kubeconfig('a', 'https://a'), kubeconfig('b', 'https://b'), false);
    expect(config.clusters.map((c) => c.name)).to.deep.equal(['a', 'b']);
    expect(config['current-context']).to.equal('admin@b');
    expect(notes).to.deep.equal([]);
  });

  it('keeps identical entries once', () => {
    const { config } = mergeKubeconfig(kubeconfig('a', 'https://a'), kubeconfig('a', 'https://a'), false);
    expect(config.clusters).to.have.length(1);
    expect(config.contexts).to.have.length(1);
  });

  it('renames entries whose names are taken by different ones, and points the new context at the renamed ones', () => {
    const { config, notes } = mergeKubeconfig(
      kubeconfig('demo', 'https://old'),
      kubeconfig('demo', 'https://new'),
      false,
    );
    expect(config.clusters.map((c) => c.name)).to.deep.equal(['demo', 'demo-1']);
    expect(config.contexts[1]).to.deep.equal({
      name: 'admin@demo-1',
      context: { cluster: 'demo-1', user: 'admin@demo-1' },
    });
    expect(config['current-context']).to.equal('admin@demo-1');
    expect(notes).to.deep.equal([
      'cluster "demo" exists already; added as "demo-1"',
      'user "admin@demo" exists already; added as "admin@demo-1"',
      'context "admin@demo" exists already; added as "admin@demo-1"',
    ]);
  });

  it('--force replaces entries of the same name', () => {
    const { config, notes } = mergeKubeconfig(
      kubeconfig('demo', 'https://old'),
      kubeconfig('demo', 'https://new'),
      true,
    );
    expect(config.clusters).to.deep.equal([{ name: 'demo', cluster: { server: 'https://new' } }]);
    expect(notes[0]).to.equal('replaced cluster "demo"');
  });

  it('reads a kubeconfig sent as YAML or as a gzipped tar', () => {
    const yaml = 'apiVersion: v1\nclusters: [{name: c, cluster: {server: "https://c"}}]\nusers: []\ncontexts: []\n';
    expect(kubeconfigFromBytes(Buffer.from(yaml), 'x').clusters[0]?.name).to.equal('c');
    const header = Buffer.alloc(512);
    header.write('kubeconfig');
    header.write(`${Buffer.byteLength(yaml).toString(8).padStart(11, '0')}\0`, 124);
    const tar = Buffer.concat([header, Buffer.from(yaml), Buffer.alloc(1024)]);
    expect(kubeconfigFromBytes(gzipSync(tar), 'x').clusters[0]?.name).to.equal('c');
    expect(() => kubeconfigFromBytes(Buffer.from('clusters: 5'), 'the reply')).to.throw(
      /the reply is not a kubeconfig/,
    );
  });
});
