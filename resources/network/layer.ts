// Config layers of network specs, lowest first: a higher layer overrides a lower one for the same link, address or route.
import { z } from 'zod';

/** The namespace where config controllers write specs, one per layer (ids prefixed with the layer). */
export const NETWORK_CONFIG_NAMESPACE = 'network-config';

/** Layers in override order: default < cmdline < platform < operator < configuration. */
export const LAYERS = ['default', 'cmdline', 'platform', 'operator', 'configuration'] as const;

/** Where a spec came from. */
export const LayerSchema = z.enum(LAYERS);

/** A config layer. */
export type Layer = z.infer<typeof LayerSchema>;

/** The rank of a layer: higher wins. */
export function layerRank(l: Layer): number {
  return LAYERS.indexOf(l);
}

/** The id of a layered spec in `network-config`: `<layer>/<merged id>`. */
export function layeredId(layer: Layer, id: string): string {
  return `${layer}/${id}`;
}

/** The layer and merged id of a `network-config` id; undefined when it has no known layer prefix. */
export function splitLayeredId(id: string): { layer: Layer; id: string } | undefined {
  const slash = id.indexOf('/');
  if (slash < 0) return undefined;
  // What LayerSchema accepts, without a parse per id (the merge controllers split every layered id on every pass).
  const prefix = id.slice(0, slash);
  const layer = LAYERS.find((l) => l === prefix);
  return layer === undefined ? undefined : { layer, id: id.slice(slash + 1) };
}
