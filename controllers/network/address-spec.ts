// AddressSpecController: adds the merged AddressSpecs' addresses to their links, removes the ones it added whose spec is gone, and reports NetworkConditions.
import {
  AddressSpecType,
  NETWORK_NAMESPACE,
  NetworkConditionType,
  type AddressSpecSpec,
} from '../../resources/index.js';
import {
  isNetlinkError,
  type Controller,
  type ControllerContext,
  type NetlinkAddressSpec,
} from '../../runtime/index.js';
import { APPLIED, ConditionWriter, pending, refusal, type Outcome } from './conditions.js';
import { LazyNetlink, watchKernel, type KernelNetwork } from './kernel.js';
import { perObject } from './memo.js';
import { addressFlagsNumber, parsePrefix, scopeNumber } from './kernel-names.js';

/** One address as the kernel is asked for it, with the link by name. */
interface Wanted extends NetlinkAddressSpec {
  readonly link: string;
}

/** Specs are immutable: each is turned into its kernel request once, not on every pass. */
const wanted = perObject(computeWanted);

function computeWanted(s: AddressSpecSpec): Wanted {
  const { ip, length } = parsePrefix('address', s.address);
  return {
    link: s.linkName,
    address: ip,
    prefixLength: length,
    scope: scopeNumber(s.scope),
    flags: addressFlagsNumber(s.flags),
  };
}

const keyOf = (linkIndex: number, address: string, prefixLength: number): string =>
  `${linkIndex}/${address}/${prefixLength}`;

/**
 * Keeps the addresses of `network/AddressSpec` on their links: adds the missing ones (woken by address and link events,
 * so an address deleted by hand is put back), and deletes an address only when this controller added it and its spec
 * is gone. Addresses it did not add are left alone; a link that does not exist yet makes the condition Pending.
 */
export class AddressSpecController implements Controller {
  readonly name = 'network.AddressSpecController';
  readonly inputs = [{ namespace: NETWORK_NAMESPACE, type: AddressSpecType.type, kind: 'weak' as const }];
  readonly outputs = [{ type: NetworkConditionType.type, kind: 'shared' as const }];

  private readonly conditions = new ConditionWriter(AddressSpecType.type);
  /** Addresses this controller added, by spec id. */
  private readonly added = new Map<string, Wanted>();

  constructor(private readonly kernel: KernelNetwork = new LazyNetlink()) {}

  async reconcile(ctx: ControllerContext): Promise<void> {
    const opts = { signal: ctx.signal };
    const specs = (await ctx.list(AddressSpecType, NETWORK_NAMESPACE)).filter((r) => r.metadata.phase === 'running');
    const links = new Map((await this.kernel.links(opts)).map((l) => [l.name, l.index] as const));
    const present = new Set(
      (await this.kernel.addresses(opts)).map((a) => keyOf(a.linkIndex, a.address, a.prefixLength)),
    );
    const outcomes = new Map<string, Outcome>();
    const desired = new Map<string, Wanted>();

    for (const r of specs) {
      try {
        desired.set(r.metadata.id, wanted(r.spec));
      } catch (e) {
        outcomes.set(r.metadata.id, refusal(e));
      }
    }
    await this.removeStale(ctx, desired);

    const missing: [string, Wanted][] = [];
    for (const [id, w] of desired) {
      const index = links.get(w.link);
      if (index === undefined) {
        outcomes.set(id, pending(`waiting for link ${w.link} to appear`));
      } else if (present.has(keyOf(index, w.address, w.prefixLength))) {
        outcomes.set(id, APPLIED);
      } else {
        missing.push([id, w]);
      }
    }
    // One batch for all that is missing: a thousand addresses cost a few round trips, not a thousand.
    const results = await this.kernel.addAddresses(
      missing.map(([, w]) => w),
      opts,
    );
    missing.forEach(([id, w], i) => {
      const e = results[i];
      if (e === undefined) {
        this.added.set(id, w);
        outcomes.set(id, APPLIED);
      } else {
        // Added by someone else since the dump: it is there, but not ours to remove later.
        outcomes.set(id, isNetlinkError(e, 'Exists') ? APPLIED : refusal(e));
      }
    });
    await this.conditions.write(ctx, outcomes);
  }

  watchOutside(signal: AbortSignal, changed: () => void): Promise<void> {
    return watchKernel(this.kernel, ['address', 'link'], signal, changed);
  }

  /** Deletes the addresses this controller added whose spec is gone or now asks for another address. */
  private async removeStale(ctx: ControllerContext, desired: ReadonlyMap<string, Wanted>): Promise<void> {
    for (const [id, w] of this.added) {
      const now = desired.get(id);
      if (
        now !== undefined &&
        now.link === w.link &&
        now.address === w.address &&
        now.prefixLength === w.prefixLength
      ) {
        continue;
      }
      // Still asked for by another spec (the same address under another id): keep it.
      if ([...desired.values()].some((d) => d.link === w.link && d.address === w.address)) {
        this.added.delete(id);
        continue;
      }
      try {
        await this.kernel.deleteAddress(w, { signal: ctx.signal });
        this.added.delete(id);
      } catch (e) {
        // Gone already (by hand, or with its link). Another refusal is tried again on the next pass.
        if (!isNetlinkError(e)) throw e;
        if (e.code === 'NotFound') this.added.delete(id);
      }
    }
  }
}
