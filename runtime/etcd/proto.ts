// Loads etcd's v3 API subset (proto/*.proto) into one protobufjs root and gives the codec of each gRPC method used.
import protobuf from 'protobufjs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The folder holding the .proto files (next to the sources; dist/ code reaches back to it). */
export const ETCD_PROTO_DIR = fileURLToPath(new URL('../../../runtime/etcd/proto/', import.meta.url));

const root = new protobuf.Root();
// rpc.proto imports "kv.proto" by its bare name: resolve imports inside our folder.
root.resolvePath = (_origin, target) => join(ETCD_PROTO_DIR, target.slice(target.lastIndexOf('/') + 1));
root.loadSync(['rpc.proto', 'kv.proto'], { keepCase: false });
root.resolveAll();

/**
 * How decoded messages look: camelCase fields, enums as names, and 64-bit integers as decimal strings. Member IDs are
 * random uint64 values: as JS numbers they would lose their low bits, so every 64-bit field is decoded as a string.
 */
const CONVERSION: protobuf.IConversionOptions = { enums: String, longs: String, defaults: true };

/** A decoded message: plain fields, as protobufjs' toObject gives them. */
export type Message = Record<string, unknown>;

/** The codec and path of one gRPC method. */
export interface MethodCodec {
  /** `/etcdserverpb.KV/Range`. */
  readonly path: string;
  readonly serialize: (value: Message) => Buffer;
  readonly deserialize: (bytes: Buffer) => Message;
}

function method(service: string, name: string): MethodCodec {
  const m = root.lookupService(`etcdserverpb.${service}`).methods[name];
  if (m === undefined) throw new Error(`method ${service}.${name} is missing from runtime/etcd/proto`);
  m.resolve();
  const req = m.resolvedRequestType;
  const res = m.resolvedResponseType;
  if (req === null || res === null) throw new Error(`method ${service}.${name}: unresolved message types`);
  return {
    path: `/etcdserverpb.${service}/${name}`,
    serialize: (v) => Buffer.from(req.encode(req.fromObject(v)).finish()),
    deserialize: (b) => res.toObject(res.decode(b), CONVERSION),
  };
}

/** The methods of etcd's API that this client calls. */
export const M = {
  range: method('KV', 'Range'),
  put: method('KV', 'Put'),
  deleteRange: method('KV', 'DeleteRange'),
  watch: method('Watch', 'Watch'),
  memberAdd: method('Cluster', 'MemberAdd'),
  memberRemove: method('Cluster', 'MemberRemove'),
  memberList: method('Cluster', 'MemberList'),
  memberPromote: method('Cluster', 'MemberPromote'),
  alarm: method('Maintenance', 'Alarm'),
  status: method('Maintenance', 'Status'),
  snapshot: method('Maintenance', 'Snapshot'),
} as const;

/** A decoded `bytes` field as a Buffer (protobufjs gives a Buffer or a Uint8Array, or undefined when unset). */
export function toBuffer(v: unknown): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return Buffer.alloc(0);
}

/** A decoded 64-bit field (a decimal string) as a number: for counters and sizes, which stay far below 2^53. */
export function toNumber(v: unknown): number {
  return typeof v === 'string' || typeof v === 'number' ? Number(v) : 0;
}

/** A decoded uint64 ID as a decimal string ('0' when unset). */
export function toId(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '0';
}
