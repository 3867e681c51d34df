// cosi.resource.State over the store: Get, List and Watch for readers (sensitive types for os:admin only); the write
// verbs are refused, since a node's state changes only through its controllers and machine operations.
import { status, type UntypedServiceImplementation } from '@grpc/grpc-js';
import {
  META_NAMESPACE,
  NotFoundError,
  ResourceDefinitionType,
  isNotFound,
  type Kind,
  type ResourceDefinitionSpec,
  type State,
  type WatchOptions,
} from '../../resources/index.js';
import { ApiError, resourceToPb, selectorFromPb, watchOptionsFromPb } from '../codec/index.js';
import { STATE_SERVICE, methodPath } from '../proto/load.js';
import type { PbGetRequest, PbListRequest, PbResource, PbWatchRequest, PbWatchResponse } from '../proto/types.js';
import type { CallContext, Calls } from './calls.js';
import { requireAdmin } from './roles.js';
import { watchResponses } from './watch.js';

const path = (name: string): string => methodPath(STATE_SERVICE, name);

/** The type's definition, or NOT_FOUND naming the type (and a registered type it may have meant). */
async function definition(state: State, type: string): Promise<ResourceDefinitionSpec> {
  try {
    const rd = await state.get({ namespace: META_NAMESPACE, type: ResourceDefinitionType.type, id: type });
    return rd.spec as ResourceDefinitionSpec;
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  const all = await state.list({ namespace: META_NAMESPACE, type: ResourceDefinitionType.type });
  const lower = type.toLowerCase();
  const meant = all.find((r) => (r.spec as ResourceDefinitionSpec).aliases.includes(lower))?.metadata.id;
  throw new NotFoundError(
    `resource type ${JSON.stringify(type)} is not registered` +
      (meant === undefined ? ' (list the types with `osctl get rd`)' : `; did you mean ${meant}?`),
  );
}

/** The kind a request names (an empty namespace means the type's default) after the RBAC check on sensitive types. */
async function readableKind(state: State, req: { namespace: string; type: string }, ctx: CallContext): Promise<Kind> {
  const def = await definition(state, req.type);
  if (def.sensitivity === 'sensitive') requireAdmin(ctx.roles, `reading ${req.type} (a sensitive resource type)`);
  return { namespace: req.namespace === '' ? def.defaultNamespace : req.namespace, type: req.type };
}

function refuseWrite(): Promise<never> {
  return Promise.reject(new ApiError(status.PERMISSION_DENIED, 'write access is not allowed'));
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Watch options of a request; a watch of one resource (`id`) bootstraps it unless tail events or a bookmark are asked for. */
function watchOptions(req: PbWatchRequest): WatchOptions {
  const opts = watchOptionsFromPb(req.options);
  if (req.id === undefined) return opts;
  const single = opts.tailEvents === undefined && opts.startFromBookmark === undefined;
  return {
    ...opts,
    bootstrapContents: single || opts.bootstrapContents === true,
    idQuery: { regexp: `^${escapeRegExp(req.id)}$` },
  };
}

/** The handlers of cosi.resource.State. */
export function stateService(state: State, calls: Calls): UntypedServiceImplementation {
  return {
    Get: calls.unary(path('Get'), async (req: PbGetRequest, ctx): Promise<{ resource: PbResource }> => {
      const kind = await readableKind(state, req, ctx);
      const r = await state.get({ ...kind, id: req.id }, { signal: ctx.signal });
      return { resource: resourceToPb(r) };
    }),
    List: calls.stream(path('List'), async function* (req: PbListRequest, ctx) {
      const kind = await readableKind(state, req, ctx);
      const selector = selectorFromPb(req.options?.labelQuery ?? [], req.options?.idQuery ?? null);
      for (const r of await state.list(kind, { ...selector, signal: ctx.signal })) yield { resource: resourceToPb(r) };
    }),
    Watch: calls.stream(path('Watch'), async function* (req: PbWatchRequest, ctx): AsyncGenerator<PbWatchResponse> {
      const kind = await readableKind(state, req, ctx);
      const cursor = await state.cursor(kind, watchOptions(req));
      yield* watchResponses(cursor, req.options?.aggregated === true, ctx.signal);
    }),
    Create: calls.unary(path('Create'), refuseWrite),
    Update: calls.unary(path('Update'), refuseWrite),
    Destroy: calls.unary(path('Destroy'), refuseWrite),
    Teardown: calls.unary(path('Teardown'), refuseWrite),
    TeardownAndDestroy: calls.unary(path('TeardownAndDestroy'), refuseWrite),
  };
}
