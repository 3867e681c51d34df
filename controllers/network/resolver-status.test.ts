// ResolverSpecController: the merged spec becomes the status without its layer; the status goes with the spec.
import { expect } from 'chai';
import {
  NETWORK_NAMESPACE,
  RESOLVERS_ID,
  ResolverSpecType,
  ResolverStatusType,
  putResource,
  type Resource,
} from '../../resources/index.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { ResolverSpecController } from './resolver-status.js';

const specPtr = { namespace: NETWORK_NAMESPACE, type: ResolverSpecType.type, id: RESOLVERS_ID };
const statusPtr = { namespace: NETWORK_NAMESPACE, type: ResolverStatusType.type, id: RESOLVERS_ID };

describe('network.ResolverSpecController', () => {
  const h = useHarness({ types: [ResolverSpecType, ResolverStatusType] });

  it('copies the spec to the status and removes it with the spec', async () => {
    h().runtime.register(new ResolverSpecController());
    h().start();
    await putResource(h().state, specPtr, {
      dnsServers: ['1.1.1.1', '8.8.8.8'],
      searchDomains: ['example.com'],
      layer: 'configuration',
    });
    const r = await h().waitFor(statusPtr, (x) => x !== undefined);
    expect(r?.spec).to.deep.equal({ dnsServers: ['1.1.1.1', '8.8.8.8'], searchDomains: ['example.com'] });
    await putResource(h().state, specPtr, { dnsServers: ['9.9.9.9'], searchDomains: [], layer: 'default' });
    await h().waitFor(statusPtr, (x: Resource | undefined) => JSON.stringify(x?.spec).includes('9.9.9.9'));
    await h().state.teardown(specPtr);
    await h().state.destroy(specPtr);
    await h().waitFor(statusPtr, (x) => x === undefined);
  });
});
