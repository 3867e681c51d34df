// parseMachineConfigYaml: valid text, octal modes, syntax errors with line:column, empty, too large, several documents, versions.
import { expect } from 'chai';
import { stringify } from 'yaml';
import { fullConfig } from './fixture.js';
import { edit, expectIssue, issuesOf } from './testing.js';
import { validateMachineConfig } from './validate.js';
import { MAX_CONFIG_BYTES, parseMachineConfigYaml } from './yaml.js';

const opts = { mode: 'metal' as const, strict: true, source: 'machine.yaml' };
const lax = { mode: 'container' as const, strict: false, source: 'machine.yaml' };

describe('parseMachineConfigYaml', () => {
  it('reads the full config as validateMachineConfig does', () => {
    const doc = fullConfig();
    expect(parseMachineConfigYaml(stringify(doc), opts)).to.deep.equal(validateMachineConfig(doc, opts));
  });

  it('reads integers with a leading 0 as octal, as Talos does', () => {
    const text = stringify(fullConfig()).replace(/permissions: \d+/, 'permissions: 0644');
    const r = parseMachineConfigYaml(text, opts);
    expect((r.config.machine.files ?? [])[0]?.permissions).to.equal(0o644);
  });

  it('reports YAML errors with file:line:column, every one', () => {
    const text = 'version: v1alpha1\nmachine:\n  type: worker\n  type: controlplane\ncluster: [unclosed\n';
    const issues = issuesOf(() => parseMachineConfigYaml(text, lax));
    expectIssue(issues, 'machine.yaml:4:3', 'not valid YAML: Map keys must be unique');
    expect(issues.length).to.be.greaterThan(1);
    for (const i of issues) expect(i.path).to.match(/^machine\.yaml:\d+:\d+$/);
    const noSource = issuesOf(() => parseMachineConfigYaml('a: [\n', { mode: 'container', strict: false }));
    expect(noSource[0]!.path).to.match(/^\(document\):\d+:\d+$/);
  });

  it('refuses an empty file, or one with only comments or blanks', () => {
    for (const text of ['', '\n\n  \n', '# nothing here\n', '---\n']) {
      expect(issuesOf(() => parseMachineConfigYaml(text, lax))).to.deep.equal([
        { path: 'machine.yaml', message: 'is empty; expected a YAML mapping that starts with version: v1alpha1' },
      ]);
    }
  });

  it('refuses a 10 MB file quickly, without parsing it', () => {
    const text = `version: v1alpha1\n${'x: [\n'.repeat(2_000_000)}`; // 10 MB of broken YAML: parsing would report errors
    const start = performance.now();
    const issues = issuesOf(() => parseMachineConfigYaml(text, lax));
    expect(performance.now() - start).to.be.lessThan(100);
    expect(issues).to.deep.equal([
      { path: 'machine.yaml', message: 'is 10000018 bytes or more; a machine config is at most 1 MiB (1048576 bytes)' },
    ]);
  });

  it('counts bytes, not characters, against the 1 MiB limit', () => {
    const pad = (n: number, ch: string): string => `version: v1alpha1\nmachine:\n  type: worker\n# ${ch.repeat(n)}\n`;
    const head = Buffer.byteLength(pad(0, 'x'));
    expect(() => parseMachineConfigYaml(pad(MAX_CONFIG_BYTES - head, 'x'), lax)).not.to.throw();
    expect(issuesOf(() => parseMachineConfigYaml(pad(MAX_CONFIG_BYTES - head + 1, 'x'), lax))[0]!.message).to.match(
      /at most 1 MiB/,
    );
    const wide = pad(Math.ceil(MAX_CONFIG_BYTES / 2), 'é'); // fewer characters than the limit, more bytes
    expect(wide.length).to.be.lessThan(MAX_CONFIG_BYTES);
    expect(issuesOf(() => parseMachineConfigYaml(wide, lax))[0]!.message).to.match(/at most 1 MiB/);
  });

  it('refuses several documents, pointing at the second', () => {
    const text = 'version: v1alpha1\nmachine:\n  type: worker\n---\nversion: v1alpha1\n';
    expect(issuesOf(() => parseMachineConfigYaml(text, lax))).to.deep.equal([
      {
        path: 'machine.yaml:4:1',
        message:
          'a second YAML document starts here (2 in all); a machine config is one document: remove the "---" and what follows',
      },
    ]);
  });

  it('refuses a config for another version, or without one', () => {
    const text = stringify(edit(fullConfig(), ['version'], 'v1alpha2'));
    expect(issuesOf(() => parseMachineConfigYaml(text, opts))).to.deep.equal([
      { path: 'version', message: 'config version v1alpha2 is not supported; this node reads v1alpha1' },
    ]);
    expectIssue(
      issuesOf(() => parseMachineConfigYaml('machine:\n  type: worker\n', lax)),
      'version',
      'missing; add version: v1alpha1 at the top',
    );
  });

  it('refuses a document that is not a mapping', () => {
    expect(issuesOf(() => parseMachineConfigYaml('- version: v1alpha1\n', lax))).to.deep.equal([
      {
        path: '(document)',
        message: '[{"version":"v1alpha1"}] is not a config; expected a mapping that starts with version: v1alpha1',
      },
    ]);
  });

  it('refuses aliases that expand without end or into themselves', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(', ')}]`,
      );
    expect(issuesOf(() => parseMachineConfigYaml(`${bomb.join('\n')}\n`, lax))[0]!.message).to.match(
      /^cannot expand YAML aliases: /,
    );
    expect(
      issuesOf(() => parseMachineConfigYaml('version: v1alpha1\nmachine: &m\n  type: worker\n  self: *m\n', lax)),
    ).to.deep.equal([
      { path: 'machine.yaml', message: 'a YAML alias refers to a node that contains it; configs must be trees' },
    ]);
  });

  it('validates what it parsed, with the same paths', () => {
    const text = stringify(
      edit(fullConfig(), ['machine', 'network', 'interfaces', 0, 'addresses', 1], '10.5.0.300/24'),
    );
    expectIssue(
      issuesOf(() => parseMachineConfigYaml(text, opts)),
      'machine.network.interfaces[0].addresses[1]',
      '"10.5.0.300/24" is not a valid CIDR (expected an address and prefix length such as 10.5.0.2/24)',
    );
  });
});
