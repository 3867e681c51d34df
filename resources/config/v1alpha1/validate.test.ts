// validateMachineConfig: valid configs pass, modes, unknown fields (strict and warn), all problems at once, error shape.
import { expect } from 'chai';
import { z } from 'zod';
import { MachineConfigSpecSchema } from './document.js';
import { fullConfig, minimalConfig, workerConfig, type Json } from './fixture.js';
import { fieldsOf, unwrap, type Schema } from './introspect.js';
import { ConfigValidationError, isInvalidConfig } from './issues.js';
import { edit, expectIssue, issuesOf } from './testing.js';
import { validateMachineConfig, type ValidationMode } from './validate.js';

const strict = { mode: 'metal' as const, strict: true };
const lax = { mode: 'container' as const, strict: false };

/** Paths of every field in the schema, lists as [] and maps as .*. */
function schemaPaths(s: Schema, prefix: string, out: Set<string>): void {
  const u = unwrap(s);
  if (u instanceof z.ZodObject) {
    for (const [k, f] of Object.entries(fieldsOf(u) ?? {})) {
      const p = prefix === '' ? k : `${prefix}.${k}`;
      out.add(p);
      schemaPaths(f, p, out);
    }
  } else if (u instanceof z.ZodArray) schemaPaths(u.element as Schema, `${prefix}[]`, out);
  else if (u instanceof z.ZodRecord) schemaPaths(u.valueType as Schema, `${prefix}.*`, out);
}

function docPaths(s: Schema, v: unknown, prefix: string, out: Set<string>): void {
  const u = unwrap(s);
  if (u instanceof z.ZodObject && v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const f = (u.shape as Record<string, Schema>)[k];
      if (f === undefined) continue;
      const p = prefix === '' ? k : `${prefix}.${k}`;
      out.add(p);
      docPaths(f, x, p, out);
    }
  } else if (u instanceof z.ZodArray && Array.isArray(v)) {
    for (const x of v) docPaths(u.element as Schema, x, `${prefix}[]`, out);
  } else if (u instanceof z.ZodRecord && v !== null && typeof v === 'object') {
    for (const x of Object.values(v)) docPaths(u.valueType as Schema, x, `${prefix}.*`, out);
  }
}

describe('validateMachineConfig', () => {
  it('accepts the minimal config in container and cloud mode, unchanged and without warnings', () => {
    for (const mode of ['container', 'cloud'] as ValidationMode[]) {
      const r = validateMachineConfig(minimalConfig(), { mode, strict: true });
      expect(r.config).to.deep.equal(minimalConfig());
      expect(r.warnings).to.deep.equal([]);
    }
  });

  it('accepts the full control-plane config in strict metal mode, unchanged', () => {
    const doc = fullConfig();
    expect(validateMachineConfig(doc, strict).config).to.deep.equal(doc);
  });

  it('accepts the worker config: CA certificates without keys', () => {
    expect(validateMachineConfig(workerConfig(), strict).warnings).to.deep.equal([]);
  });

  it('the full config sets every field of the schema', () => {
    const want = new Set<string>();
    const have = new Set<string>();
    schemaPaths(MachineConfigSpecSchema, '', want);
    docPaths(MachineConfigSpecSchema, fullConfig(), '', have);
    expect([...want].filter((p) => !have.has(p))).to.deep.equal([]);
  });

  it('requires machine.install.disk on metal only', () => {
    const doc = edit(fullConfig(), ['machine', 'install', 'disk'], undefined);
    expectIssue(
      issuesOf(() => validateMachineConfig(doc, strict)),
      'machine.install.disk',
      /^missing; a bare-metal node installs to a disk/,
    );
    expect(() => validateMachineConfig(doc, { mode: 'container', strict: true })).not.to.throw();
    expect(() => validateMachineConfig(doc, { mode: 'cloud', strict: true })).not.to.throw();
  });

  describe('unknown fields', () => {
    const typo = edit(fullConfig(), ['machine', 'netwrk'], { hostname: 'x' });

    it('are errors in strict mode, with the closest known name', () => {
      expectIssue(
        issuesOf(() => validateMachineConfig(typo, strict)),
        'machine.netwrk',
        'unknown field; did you mean "network"?',
      );
    });

    it('are warnings otherwise, and kept in the config as written', () => {
      const r = validateMachineConfig(typo, lax);
      expect(r.warnings).to.deep.equal([{ path: 'machine.netwrk', message: 'unknown field; did you mean "network"?' }]);
      expect((r.config.machine as Record<string, Json>).netwrk).to.deep.equal({ hostname: 'x' });
    });

    it('are found inside lists and maps, and without a close name the section lists its fields', () => {
      let doc = edit(fullConfig(), ['machine', 'network', 'interfaces', 0, 'adresses'], []);
      doc = edit(doc, ['machine', 'registries', 'mirrors', 'docker.io', 'endpoint'], []);
      doc = edit(doc, ['cluster', 'zzz'], 1);
      const issues = issuesOf(() => validateMachineConfig(doc, strict));
      expectIssue(issues, 'machine.network.interfaces[0].adresses', 'unknown field; did you mean "addresses"?');
      expectIssue(
        issues,
        'machine.registries.mirrors["docker.io"].endpoint',
        'unknown field; did you mean "endpoints"?',
      );
      expectIssue(issues, 'cluster.zzz', /^unknown field; this section has: id, secret, controlPlane, /);
      expect(issues).to.have.length(3);
    });
  });

  it('reports all problems at once: five distinct problems, five issues', () => {
    let doc = fullConfig();
    doc = edit(doc, ['machine', 'network', 'interfaces', 0, 'addresses', 1], '10.5.0.300/24'); // a value
    doc = edit(doc, ['machine', 'network', 'interfaces', 0, 'mtu'], 'abc'); // a type
    doc = edit(doc, ['machine', 'network', 'interfaces', 0, 'routes', 0, 'gateway'], '10.6.0.1'); // a rule across fields
    doc = edit(doc, ['cluster', 'controlPlane', 'endpoint'], 'http://10.5.0.2:6443'); // a URL
    doc = edit(doc, ['machine', 'netwrk'], {}); // an unknown field
    const issues = issuesOf(() => validateMachineConfig(doc, strict));
    expect(issues.map((i) => i.path)).to.have.members([
      'machine.network.interfaces[0].addresses[1]',
      'machine.network.interfaces[0].mtu',
      'machine.network.interfaces[0].routes[0].gateway',
      'cluster.controlPlane.endpoint',
      'machine.netwrk',
    ]);
    expectIssue(
      issues,
      'machine.network.interfaces[0].addresses[1]',
      '"10.5.0.300/24" is not a valid CIDR (expected an address and prefix length such as 10.5.0.2/24)',
    );
    expectIssue(issues, 'machine.network.interfaces[0].mtu', '"abc" is not an integer 68–65535');
  });

  it('throws a ConfigValidationError with code InvalidConfig and one `path: message` line per issue', () => {
    const doc = edit(edit(minimalConfig(), ['machine', 'type'], 'master'), ['debug'], 'yes');
    try {
      validateMachineConfig(doc, lax);
      expect.fail('accepted');
    } catch (e) {
      expect(isInvalidConfig(e)).to.be.true;
      const err = e as ConfigValidationError;
      expect(err.code).to.equal('InvalidConfig');
      expect(err.message.split('\n')).to.deep.equal(err.issues.map((i) => `${i.path}: ${i.message}`));
      expect(err.message).to.equal(
        'debug: "yes" is not true or false\nmachine.type: "master" is not one of "controlplane", "worker"',
      );
    }
  });

  it('names missing, empty and misspelt values and what would be right', () => {
    let doc = edit(minimalConfig(), ['machine', 'type'], 'contrlplane');
    doc = edit(doc, ['cluster'], { controlPlane: {}, network: { dnsDomain: null } });
    const issues = issuesOf(() => validateMachineConfig(doc, lax));
    expectIssue(
      issues,
      'machine.type',
      '"contrlplane" is not one of "controlplane", "worker"; did you mean "controlplane"?',
    );
    expectIssue(
      issues,
      'cluster.controlPlane.endpoint',
      'missing; expected an https URL such as https://10.5.0.2:6443',
    );
    expectIssue(issues, 'cluster.network.dnsDomain', 'is empty; expected a hostname (give a value or remove the key)');
    const noType = issuesOf(() => validateMachineConfig({ version: 'v1alpha1', machine: {} }, lax));
    expectIssue(noType, 'machine.type', 'missing; expected one of "controlplane", "worker"');
  });

  it('suggests quoting numbers given for strings', () => {
    const doc = edit(fullConfig(), ['cluster', 'apiServer', 'extraArgs', 'v'], 2);
    expectIssue(
      issuesOf(() => validateMachineConfig(doc, strict)),
      'cluster.apiServer.extraArgs.v',
      '2 is not a string (quote it: "2")',
    );
  });

  it('refuses a document that is not a mapping, or of another version, in one issue', () => {
    expect(issuesOf(() => validateMachineConfig(['a'], lax))).to.deep.equal([
      { path: '(document)', message: '["a"] is not a config; expected a mapping that starts with version: v1alpha1' },
    ]);
    const other = edit(edit(fullConfig(), ['version'], 'v1alpha2'), ['machine', 'type'], 'x');
    expect(issuesOf(() => validateMachineConfig(other, strict))).to.deep.equal([
      { path: 'version', message: 'config version v1alpha2 is not supported; this node reads v1alpha1' },
    ]);
    const none = edit(minimalConfig(), ['version'], undefined);
    expectIssue(
      issuesOf(() => validateMachineConfig(none, lax)),
      'version',
      'missing; add version: v1alpha1 at the top',
    );
  });
});
