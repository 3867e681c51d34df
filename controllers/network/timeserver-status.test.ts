// TimeServerSpecController: the merged spec becomes the status without its layer; the status goes with the spec.
import { expect } from 'chai';
import {
  NETWORK_NAMESPACE,
  TIMESERVERS_ID,
  TimeServerSpecType,
  TimeServerStatusType,
  putResource,
} from '../../resources/index.js';
import { useHarness } from '../../runtime/controller/testing.js';
import { TimeServerSpecController } from './timeserver-status.js';

const specPtr = { namespace: NETWORK_NAMESPACE, type: TimeServerSpecType.type, id: TIMESERVERS_ID };
const statusPtr = { namespace: NETWORK_NAMESPACE, type: TimeServerStatusType.type, id: TIMESERVERS_ID };

describe('network.TimeServerSpecController', () => {
  const h = useHarness({ types: [TimeServerSpecType, TimeServerStatusType] });

  it('copies the spec to the status and removes it with the spec', async () => {
    h().runtime.register(new TimeServerSpecController());
    h().start();
    await putResource(h().state, specPtr, { ntpServers: ['time.cloudflare.com'], layer: 'default' });
    const r = await h().waitFor(statusPtr, (x) => x !== undefined);
    expect(r?.spec).to.deep.equal({ ntpServers: ['time.cloudflare.com'] });
    await h().state.teardown(specPtr);
    await h().state.destroy(specPtr);
    await h().waitFor(statusPtr, (x) => x === undefined);
  });
});
