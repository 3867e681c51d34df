// OSRootConfigController: produces OSRootSecret (the machine API CA, certSANs, token) from the active MachineConfig.
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  MachineConfigType,
  OS_ROOT_ID,
  OSRootSecretType,
  SECRETS_NAMESPACE,
  type OSRootSecretSpec,
} from '../../resources/index.js';
import type { Controller, ControllerContext } from '../../runtime/index.js';
import { pemFromConfig } from './issuing.js';
import { keyMatchesCertificate } from './x509.js';

/**
 * Keeps `secrets/OSRootSecret/os` equal to machine.ca (as plain PEM), machine.certSANs and machine.token of the active
 * config; absent without a config or without machine.ca. `signs` is true only when the key is there and matches.
 */
export class OSRootConfigController implements Controller {
  readonly name = 'secrets.OSRootConfigController';
  readonly inputs = [
    { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID, kind: 'weak' as const },
  ];
  readonly outputs = [{ type: OSRootSecretType.type, kind: 'exclusive' as const }];

  async reconcile(ctx: ControllerContext): Promise<void> {
    const cfg = await ctx.get(MachineConfigType, CONFIG_NAMESPACE, ACTIVE_CONFIG_ID);
    const machine = cfg?.metadata.phase === 'running' ? cfg.spec.machine : undefined;
    const crt = pemFromConfig(machine?.ca?.crt);
    if (machine === undefined || crt === '') {
      await ctx.teardownAndDestroy(OSRootSecretType, SECRETS_NAMESPACE, OS_ROOT_ID);
      return;
    }
    const key = pemFromConfig(machine.ca?.key);
    const spec: OSRootSecretSpec = {
      ca: { crt, key },
      signs: key !== '' && keyMatchesCertificate(crt, key),
      certSANs: [...(machine.certSANs ?? [])],
      token: machine.token ?? '',
    };
    await ctx.modify(OSRootSecretType, SECRETS_NAMESPACE, OS_ROOT_ID, () => spec);
  }
}
