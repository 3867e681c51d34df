// AddressConfigController: produces layered AddressSpecs in `network-config` from the `ip=` kernel argument and machine.network addresses.
import {
  ACTIVE_CONFIG_ID,
  AddressSpecType,
  CONFIG_NAMESPACE,
  MachineConfigType,
  NETWORK_CONFIG_NAMESPACE,
  layeredId,
  type AddressSpecSpec,
  type Layer,
  type MachineConfigSpec,
} from '../../resources/index.js';
import { formatCidr, parseCidr } from '../../resources/config/v1alpha1/net.js';
import { silentLogger, type Controller, type ControllerContext, type Logger } from '../../runtime/index.js';
import { cmdlineNetworkOnce, type CmdlineNetwork } from './cmdline.js';
import { syncOutputs } from './sync.js';

/** The merged AddressSpec id, the same as the AddressStatus id: `<link>/<address>/<prefix>`, e.g. `eth0/10.5.0.2/24`. */
export function addressSpecId(spec: Pick<AddressSpecSpec, 'linkName' | 'address'>): string {
  return `${spec.linkName}/${spec.address}`;
}

/** The spec of `address` (a bare address means a host prefix) on `linkName`; undefined when it does not parse. */
function addressSpec(address: string, linkName: string, layer: Layer): AddressSpecSpec | undefined {
  const cidr = parseCidr(address, true);
  if (cidr === undefined) return undefined;
  return {
    address: formatCidr(cidr),
    linkName,
    family: cidr.ip.family === 4 ? 'inet4' : 'inet6',
    scope: 'global',
    flags: '',
    layer,
  };
}

/** The configuration layer's addresses: interfaces[].addresses and vlans[].addresses (on `<link>.<vlanId>`). */
export function configuredAddresses(doc: MachineConfigSpec): AddressSpecSpec[] {
  const out: AddressSpecSpec[] = [];
  const add = (addresses: readonly string[] | undefined, link: string): void => {
    for (const a of addresses ?? []) {
      const spec = addressSpec(a, link, 'configuration');
      if (spec !== undefined) out.push(spec);
    }
  };
  for (const i of doc.machine.network?.interfaces ?? []) {
    if (i.ignore === true) continue;
    add(i.addresses, i.interface);
    for (const v of i.vlans ?? []) add(v.addresses, `${i.interface}.${v.vlanId}`);
  }
  return out;
}

function desiredAddresses(
  net: CmdlineNetwork | undefined,
  doc: MachineConfigSpec | undefined,
): Map<string, AddressSpecSpec> {
  const specs: AddressSpecSpec[] = [];
  // Without a device the address has no link to go on: the cmdline layer then has no address.
  if (net?.address !== undefined && net.device !== undefined) {
    const spec = addressSpec(net.address, net.device, 'cmdline');
    if (spec !== undefined) specs.push(spec);
  }
  if (doc !== undefined) specs.push(...configuredAddresses(doc));
  return new Map(specs.map((s) => [layeredId(s.layer, addressSpecId(s)), s]));
}

/**
 * Keeps `network-config/AddressSpec/<layer>/<link>/<address>/<prefix>` equal to the addresses of each layer: cmdline
 * (the `ip=` client address on its device) and configuration; no default layer. Output kind `shared`: the merge
 * controller writes AddressSpec too (in `network`).
 */
export class AddressConfigController implements Controller {
  readonly name = 'network.AddressConfigController';
  readonly inputs = [
    { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID, kind: 'weak' as const },
  ];
  readonly outputs = [{ type: AddressSpecType.type, kind: 'shared' as const }];
  private readonly cmdline: () => CmdlineNetwork | undefined;

  /** `cmdline` is the kernel command line text; a bad `ip=` is logged once to `logger` and ignored. */
  constructor(cmdline: string, logger: Logger = silentLogger) {
    this.cmdline = cmdlineNetworkOnce(cmdline, logger, this.name);
  }

  async reconcile(ctx: ControllerContext): Promise<void> {
    const cfg = await ctx.get(MachineConfigType, CONFIG_NAMESPACE, ACTIVE_CONFIG_ID);
    const doc = cfg?.metadata.phase === 'running' ? cfg.spec : undefined;
    await syncOutputs(ctx, AddressSpecType, NETWORK_CONFIG_NAMESPACE, desiredAddresses(this.cmdline(), doc));
  }
}
