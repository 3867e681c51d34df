// renderConfigReference: the Markdown config reference (docs/reference/config.md), generated from the schema's descriptions.
import { z } from 'zod';
import { MachineConfigSpecSchema } from './document.js';
import { fieldsOf, isOptional, metaOf, typeName, unwrap, type Schema } from './introspect.js';

const INTRO = `<!-- Generated from resources/config/v1alpha1 by \`npm run docs\`; edit the schema's descriptions, not this file. -->

# Machine config reference (v1alpha1)

A node reads one YAML document, \`version: v1alpha1\`, with a \`machine\` section (this node) and a \`cluster\`
section (shared by the cluster). \`osctl\` and \`machined\` check it with the same code; every problem is reported at
once as \`path: message\`, naming the value and what would be right.

## How a config is read

- **One document, at most 1 MiB.** A second \`---\` document, an empty file or a larger file is refused; YAML errors
  carry \`file:line:column\`. As in Talos, integers written with a leading 0 are octal (\`permissions: 0644\`).
- **Modes.** \`metal\` needs \`machine.install.disk\`; \`container\` and \`cloud\` do not (the node comes installed).
- **Unknown fields** are kept as written and reported with the closest known name
  (\`machine.netwrk: unknown field; did you mean "network"?\`): as warnings, or as errors in strict mode.
- **Defaults** below are what the node uses when a field is absent; the stored document keeps only what you wrote.
- **Certificates and keys** are base64-encoded PEM (\`base64 -w0 ca.crt\`), as in Talos. Each key must match its
  certificate, and CA certificates must carry CA:TRUE. Messages never show key material.
- **Workers hold no signing secrets**: on \`machine.type: worker\` the keys of \`machine.ca\`, \`cluster.ca\`,
  \`cluster.aggregatorCA\` and \`cluster.etcd.ca\`, \`cluster.serviceAccount.key\` and
  \`cluster.secretboxEncryptionSecret\` must be absent or \`""\`; the CA certificates stay.

## The gateway rule

A route's \`gateway\` must be reachable on the link the route is on (the interface, or the VLAN for VLAN routes).
It is accepted when one of these holds:

1. it lies inside the subnet of a static address on the same link (\`10.5.0.1\` with address \`10.5.0.2/24\`);
2. the same link has a host route to it without a gateway, which declares it **on-link** (as Linux \`onlink\`);
   this is how providers that hand out /32 addresses are configured:

   \`\`\`yaml
   routes:
     - network: 172.31.1.1/32      # the gateway is on this link
     - network: 0.0.0.0/0
       gateway: 172.31.1.1
   \`\`\`
3. it is an IPv6 link-local address (\`fe80::/10\`), which is always on-link;
4. the link uses \`dhcp: true\`: its addresses come from the lease, so they are not known when the config is checked.

A bare address (no \`/prefix\`) is a host address and covers only itself. A gateway must also be of the same family
as the route's network.

## Fields
`;

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function code(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return `\`${s}\``;
}

function defaultOrExample(s: Schema): string {
  const m = metaOf(s);
  if (m.default !== undefined) return `default ${code(m.default)}`;
  if (m.sensitive === true || (m.description ?? '').includes('e.g.')) return ''; // the description has its own example
  if (m.example !== undefined) return `e.g. ${code(m.example)}`;
  const u = unwrap(s);
  // A list's example is its element's.
  if (u instanceof z.ZodArray) {
    const ex = metaOf(u.element as Schema).example;
    if (ex !== undefined) return `e.g. ${code([ex])}`;
  }
  return '';
}

/** The object schema a field leads to (itself, a list's element, a map's value), for a section of its own. */
function nested(s: Schema): { readonly schema: Schema; readonly suffix: string } | undefined {
  const u = unwrap(s);
  if (u instanceof z.ZodObject) return { schema: u, suffix: '' };
  if (u instanceof z.ZodArray && unwrap(u.element as Schema) instanceof z.ZodObject) {
    return { schema: u.element as Schema, suffix: '[]' };
  }
  if (u instanceof z.ZodRecord && unwrap(u.valueType as Schema) instanceof z.ZodObject) {
    return { schema: u.valueType as Schema, suffix: '.*' };
  }
  return undefined;
}

function section(title: string, description: string | undefined, schema: Schema, out: string[]): void {
  const fields = fieldsOf(schema) ?? {};
  out.push(`### \`${title}\``, '');
  if (description !== undefined) out.push(description, '');
  out.push('| Field | Type | Description | Default / example |', '|---|---|---|---|');
  const later: [string, string | undefined, Schema][] = [];
  for (const [name, f] of Object.entries(fields)) {
    const path = `${title}.${name}`;
    const type = `${typeName(f)}${isOptional(f) ? '' : ', required'}`;
    const desc = metaOf(f).description ?? '';
    out.push(`| \`${path}\` | ${cell(type)} | ${cell(desc)} | ${cell(defaultOrExample(f))} |`);
    const n = nested(f);
    if (n !== undefined) later.push([`${path}${n.suffix}`, desc, n.schema]);
  }
  out.push('');
  for (const [t, d, s] of later) section(t, d, s, out);
}

/** The config reference in Markdown: every field with its path, type, description and default or example. */
export function renderConfigReference(): string {
  const out: string[] = [INTRO];
  const top = fieldsOf(MachineConfigSpecSchema) ?? {};
  out.push('### Top level', '', '| Field | Type | Description | Default / example |', '|---|---|---|---|');
  const sections: [string, Schema][] = [];
  for (const [name, f] of Object.entries(top)) {
    const type = `${typeName(f)}${isOptional(f) ? '' : ', required'}`;
    out.push(`| \`${name}\` | ${cell(type)} | ${cell(metaOf(f).description ?? '')} | ${cell(defaultOrExample(f))} |`);
    if (nested(f) !== undefined) sections.push([name, f]);
  }
  out.push('');
  for (const [name, f] of sections) section(name, metaOf(f).description, unwrap(f), out);
  return `${out.join('\n').trimEnd()}\n`;
}
