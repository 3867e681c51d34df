// EtcdRootConfigController: produces EtcdRootSecret (the etcd CA) from cluster.etcd.ca of the active MachineConfig.
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  ETCD_ROOT_ID,
  EtcdRootSecretType,
  MachineConfigType,
  SECRETS_NAMESPACE,
} from '../../resources/index.js';
import type { Controller, ControllerContext } from '../../runtime/index.js';
import { pemFromConfig } from './issuing.js';
import { keyMatchesCertificate } from './x509.js';

/**
 * Keeps `secrets/EtcdRootSecret/etcd` equal to cluster.etcd.ca (plain PEM) of the active config; absent when the config
 * has none (workers run no etcd). `signs` is true only on a control-plane node whose config holds the matching key.
 */
export class EtcdRootConfigController implements Controller {
  readonly name = 'secrets.EtcdRootConfigController';
  readonly inputs = [
    { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID, kind: 'weak' as const },
  ];
  readonly outputs = [{ type: EtcdRootSecretType.type, kind: 'exclusive' as const }];

  async reconcile(ctx: ControllerContext): Promise<void> {
    const cfg = await ctx.get(MachineConfigType, CONFIG_NAMESPACE, ACTIVE_CONFIG_ID);
    const doc = cfg?.metadata.phase === 'running' ? cfg.spec : undefined;
    const crt = pemFromConfig(doc?.cluster?.etcd?.ca?.crt);
    if (doc === undefined || crt === '') {
      await ctx.teardownAndDestroy(EtcdRootSecretType, SECRETS_NAMESPACE, ETCD_ROOT_ID);
      return;
    }
    const key = pemFromConfig(doc.cluster?.etcd?.ca?.key);
    const signs = doc.machine.type === 'controlplane' && key !== '' && keyMatchesCertificate(crt, key);
    await ctx.modify(EtcdRootSecretType, SECRETS_NAMESPACE, ETCD_ROOT_ID, () => ({ ca: { crt, key }, signs }));
  }
}
