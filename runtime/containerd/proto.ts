// Loads containerd's API subset (proto/*.proto) into one protobufjs root: gRPC method codecs and google.protobuf.Any packing.
//
// One root serves both the service messages and the Any payloads (runc options, task events, cgroup metrics), so a
// type URL found in a message is looked up where the message itself was decoded.
import protobuf from 'protobufjs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The folder holding the .proto files (next to the sources; dist/ code reaches back to it). */
export const CONTAINERD_PROTO_DIR = fileURLToPath(new URL('../../../runtime/containerd/proto/', import.meta.url));

const FILES = [
  'containers.proto',
  'tasks.proto',
  'events.proto',
  'task-events.proto',
  'namespaces.proto',
  'version.proto',
  'runc-options.proto',
  'cgroups-v1.proto',
  'cgroups-v2.proto',
];

const root = new protobuf.Root().loadSync(
  FILES.map((f) => join(CONTAINERD_PROTO_DIR, f)),
  { keepCase: false },
);
root.resolveAll();

/** How decoded messages look: camelCase fields, enums as names, 64-bit integers as numbers, unset fields as defaults. */
const CONVERSION: protobuf.IConversionOptions = { enums: String, longs: Number, defaults: true };

/** A decoded message: plain fields, as protobufjs' toObject gives them. */
export type Message = Record<string, unknown>;

/**
 * The wire form of google.protobuf.Any. protobufjs defines the well-known types from bundled JSON, which keeps field
 * names as written (`type_url`), unlike our .proto files, whose fields are camelCased.
 */
export interface AnyMessage {
  readonly type_url: string;
  readonly value: Uint8Array;
}

/** The codec and path of one gRPC method. */
export interface MethodCodec {
  /** `/containerd.services.tasks.v1.Tasks/Create`. */
  readonly path: string;
  readonly serialize: (value: Message) => Buffer;
  readonly deserialize: (bytes: Buffer) => Message;
}

function codec(type: protobuf.Type): { encode: (v: Message) => Buffer; decode: (b: Uint8Array) => Message } {
  return {
    encode: (v) => {
      const m = type.fromObject(v);
      return Buffer.from(type.encode(m).finish());
    },
    decode: (b) => type.toObject(type.decode(b), CONVERSION),
  };
}

/** The codec of `service`'s method `name`, e.g. method('containerd.services.tasks.v1.Tasks', 'Create'). */
export function method(service: string, name: string): MethodCodec {
  const svc = root.lookupService(service);
  const m = svc.methods[name];
  if (m === undefined) throw new Error(`method ${service}.${name} is missing from runtime/containerd/proto`);
  m.resolve();
  if (m.resolvedRequestType === null || m.resolvedResponseType === null) {
    throw new Error(`method ${service}.${name}: unresolved message types`);
  }
  const req = codec(m.resolvedRequestType);
  const res = codec(m.resolvedResponseType);
  return { path: `/${service}/${name}`, serialize: req.encode, deserialize: res.decode };
}

/**
 * Packs `value` as an Any of the protobuf message `typeName` (e.g. `containerd.runc.v1.Options`). containerd resolves
 * type URLs by exact match, and registers its protobuf messages under their bare full names: no `type.googleapis.com/`.
 */
export function packAny(typeName: string, value: Message): AnyMessage {
  return { type_url: typeName, value: codec(root.lookupType(typeName)).encode(value) };
}

/** Packs a JSON document as an Any (how containerd carries the OCI runtime spec). */
export function packJsonAny(typeUrl: string, value: unknown): AnyMessage {
  return { type_url: typeUrl, value: Buffer.from(JSON.stringify(value)) };
}

/**
 * Decodes an Any whose type is in the loaded root: the message type name and the decoded fields; undefined for
 * types this subset does not carry (and for an empty Any).
 */
export function unpackAny(any: AnyMessage | null | undefined): { typeName: string; message: Message } | undefined {
  if (any === null || any === undefined || any.type_url === '') return undefined;
  // Accept both containerd's bare names and the conventional type.googleapis.com/ prefix.
  const typeName = any.type_url.slice(any.type_url.lastIndexOf('/') + 1);
  let type: protobuf.Type;
  try {
    type = root.lookupType(typeName);
  } catch {
    return undefined;
  }
  return { typeName, message: codec(type).decode(any.value) };
}

/** A google.protobuf.Timestamp as decoded here. */
export interface TimestampMessage {
  readonly seconds: number;
  readonly nanos: number;
}

/** The Date of a decoded Timestamp; undefined when unset or zero (containerd's "never"). */
export function toDate(ts: unknown): Date | undefined {
  if (ts === null || typeof ts !== 'object') return undefined;
  const { seconds, nanos } = ts as Partial<TimestampMessage>;
  if (typeof seconds !== 'number' || seconds <= 0) return undefined;
  return new Date(seconds * 1000 + Math.floor((nanos ?? 0) / 1e6));
}
