// LinkConfigController: produces layered LinkSpecs in `network-config` (loopback, the `ip=` device, configured links) from the machine config and kernel command line.
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  LinkSpecType,
  MachineConfigType,
  NETWORK_CONFIG_NAMESPACE,
  layeredId,
  type Layer,
  type LinkSpecSpec,
  type MachineConfigSpec,
} from '../../resources/index.js';
import { silentLogger, type Controller, type ControllerContext, type Logger } from '../../runtime/index.js';
import { cmdlineNetworkOnce, type CmdlineNetwork } from './cmdline.js';
import { syncOutputs } from './sync.js';

const MAX_LINK_NAME = 15;

/** A physical link that is only set up, in `layer`. */
function plainLink(name: string, layer: Layer): LinkSpecSpec {
  return {
    name,
    logical: false,
    kind: '',
    up: true,
    mtu: 0,
    master: '',
    parent: '',
    vlanId: 0,
    vethPeer: '',
    bondMode: '',
    layer,
  };
}

/**
 * The configuration layer's links by name: each interface that is not ignored (created as a bridge, bond or dummy when
 * it says so), the members of bridges and bonds (their own entry, if any, gains the master), and each VLAN as
 * `<link>.<vlanId>`. An ignored interface gets no spec even when it is listed as a member. VLAN names longer than
 * the kernel's 15 characters are left out rather than failing every write.
 */
export function configuredLinks(doc: MachineConfigSpec): Map<string, LinkSpecSpec> {
  const links = new Map<string, LinkSpecSpec>();
  const ifaces = (doc.machine.network?.interfaces ?? []).filter((i) => i.ignore !== true);
  const ignored = new Set(
    (doc.machine.network?.interfaces ?? []).filter((i) => i.ignore === true).map((i) => i.interface),
  );
  for (const i of ifaces) {
    const spec = { ...plainLink(i.interface, 'configuration'), mtu: i.mtu ?? 0 };
    if (i.bridge !== undefined) links.set(i.interface, { ...spec, logical: true, kind: 'bridge' });
    else if (i.bond !== undefined) {
      links.set(i.interface, { ...spec, logical: true, kind: 'bond', bondMode: i.bond.mode ?? 'balance-rr' });
    } else if (i.dummy === true) links.set(i.interface, { ...spec, logical: true, kind: 'dummy' });
    else links.set(i.interface, spec);
  }
  for (const i of ifaces) {
    for (const member of [...(i.bridge?.interfaces ?? []), ...(i.bond?.interfaces ?? [])]) {
      if (ignored.has(member)) continue;
      const own = links.get(member) ?? plainLink(member, 'configuration');
      links.set(member, { ...own, master: i.interface });
    }
    for (const v of i.vlans ?? []) {
      const name = `${i.interface}.${v.vlanId}`;
      if (name.length > MAX_LINK_NAME) continue;
      links.set(name, {
        ...plainLink(name, 'configuration'),
        logical: true,
        kind: 'vlan',
        parent: i.interface,
        vlanId: v.vlanId,
        mtu: v.mtu ?? 0,
      });
    }
  }
  return links;
}

/** The layered LinkSpecs, keyed by their `network-config` id. */
function desiredLinks(net: CmdlineNetwork | undefined, doc: MachineConfigSpec | undefined): Map<string, LinkSpecSpec> {
  const out = new Map<string, LinkSpecSpec>();
  const put = (spec: LinkSpecSpec): void => {
    out.set(layeredId(spec.layer, spec.name), spec);
  };
  put(plainLink('lo', 'default'));
  if (net?.device !== undefined) put(plainLink(net.device, 'cmdline'));
  if (doc !== undefined) for (const spec of configuredLinks(doc).values()) put(spec);
  return out;
}

/**
 * Keeps `network-config/LinkSpec/<layer>/<link>` equal to the links wanted by each layer: default (`lo` up), cmdline
 * (the `ip=` device up) and configuration (machine.network.interfaces, see {@link configuredLinks}); without a config
 * (maintenance mode) only the first two. Output kind `shared`: the merge controller writes LinkSpec too (in `network`).
 */
export class LinkConfigController implements Controller {
  readonly name = 'network.LinkConfigController';
  readonly inputs = [
    { namespace: CONFIG_NAMESPACE, type: MachineConfigType.type, id: ACTIVE_CONFIG_ID, kind: 'weak' as const },
  ];
  readonly outputs = [{ type: LinkSpecType.type, kind: 'shared' as const }];
  private readonly cmdline: () => CmdlineNetwork | undefined;

  /** `cmdline` is the kernel command line text; a bad `ip=` is logged once to `logger` and ignored. */
  constructor(cmdline: string, logger: Logger = silentLogger) {
    this.cmdline = cmdlineNetworkOnce(cmdline, logger, this.name);
  }

  async reconcile(ctx: ControllerContext): Promise<void> {
    const cfg = await ctx.get(MachineConfigType, CONFIG_NAMESPACE, ACTIVE_CONFIG_ID);
    const doc = cfg?.metadata.phase === 'running' ? cfg.spec : undefined;
    await syncOutputs(ctx, LinkSpecType, NETWORK_CONFIG_NAMESPACE, desiredLinks(this.cmdline(), doc));
  }
}
