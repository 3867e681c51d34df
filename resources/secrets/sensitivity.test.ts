// The secrets types: every one in namespace `secrets` is sensitive except the public Certificate view, and no print
// column of a sensitive type reads a key.
import { expect } from 'chai';
import { ALL_TYPES } from '../registry.js';
import { SECRETS_NAMESPACE } from './common.js';

describe('secrets resource types', () => {
  const secrets = ALL_TYPES.filter((t) => t.definition.defaultNamespace === SECRETS_NAMESPACE);

  it('are all sensitive but Certificate', () => {
    expect(secrets.map((t) => t.type).sort()).to.deep.equal([
      'ApiCertificates',
      'Certificate',
      'EtcdRootSecret',
      'EtcdSecrets',
      'KubernetesRootSecret',
      'KubernetesSecrets',
      'OSRootSecret',
    ]);
    for (const t of secrets) {
      expect(t.definition.sensitivity, t.type).to.equal(t.type === 'Certificate' ? 'public' : 'sensitive');
    }
  });

  it('print no keys, tokens or certificates in their columns', () => {
    for (const t of secrets) {
      for (const c of t.definition.printColumns)
        expect(c.jsonPath, `${t.type} ${c.name}`).not.to.match(/key|token|crt|ca\b|secret/i);
    }
  });
});
