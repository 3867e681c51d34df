// Output formats of `osctl get`: -o parsing (a malformed jsonpath is a clear usage error), documents, tables per node.
import { expect } from 'chai';
import { InvalidArgumentError } from 'commander';
import type { Resource, ResourceDefinitionSpec } from '../../resources/index.js';
import { documentLines, parseOutputFormat, resourceDocument } from './output.js';
import { resourceOutput } from './resource-rows.js';

const def: ResourceDefinitionSpec = {
  type: 'MachineStatus',
  aliases: ['machinestatus'],
  defaultNamespace: 'runtime',
  printColumns: [
    { name: 'Stage', jsonPath: '{.stage}' },
    { name: 'Ready', jsonPath: '{.ready}' },
  ],
  sensitivity: 'public',
};

const status: Resource = {
  metadata: {
    namespace: 'runtime',
    type: 'MachineStatus',
    id: 'machine',
    version: 3,
    owner: 'runtime.MachineStatusController',
    phase: 'running',
    finalizers: [],
    labels: {},
    annotations: {},
    created: Date.UTC(2024, 0, 1),
    updated: Date.UTC(2024, 0, 2),
  },
  spec: { stage: 'running', ready: true, unmetConditions: [] },
};

describe('osctl output formats', () => {
  it('parses table, yaml, json and jsonpath={...}', () => {
    expect(parseOutputFormat('yaml')).to.deep.equal({ kind: 'yaml' });
    expect(parseOutputFormat('jsonpath={.spec.stage}')).to.deep.equal({ kind: 'jsonpath', path: '{.spec.stage}' });
    expect(parseOutputFormat("jsonpath='{.metadata.id}'")).to.deep.equal({ kind: 'jsonpath', path: '{.metadata.id}' });
  });

  it('refuses unknown formats and malformed paths with a usage error that says what is wrong', () => {
    expect(() => parseOutputFormat('xml')).to.throw(
      InvalidArgumentError,
      'expected table, yaml, json or jsonpath={.path}',
    );
    expect(() => parseOutputFormat('jsonpath=')).to.throw(InvalidArgumentError, 'jsonpath= needs a path');
    expect(() => parseOutputFormat('jsonpath={.spec[}'))
      .to.throw(InvalidArgumentError)
      .with.property('message')
      .that.includes('cannot read "["')
      .and.includes('expected .field, [n] or [*]');
  });

  it('renders a resource as YAML and JSON documents with node, metadata and spec, and evaluates a jsonpath', () => {
    const doc = resourceDocument(status, '10.5.0.2');
    expect(documentLines(doc, { kind: 'yaml' }).slice(0, 4)).to.deep.equal([
      '---',
      'node: 10.5.0.2',
      'metadata:',
      '  namespace: runtime',
    ]);
    expect(documentLines(doc, { kind: 'yaml' })).to.include('  created: 2024-01-01T00:00:00.000Z');
    const json = JSON.parse(documentLines(doc, { kind: 'json' }).join('\n')) as {
      spec: unknown;
      metadata: { version: number };
    };
    expect(json.spec).to.deep.equal(status.spec);
    expect(json.metadata.version).to.equal(3);
    expect(documentLines(doc, { kind: 'jsonpath', path: '{.spec.stage}' })).to.deep.equal(['running']);
  });

  it('tables show NODE only for several nodes, then the fixed and print columns', () => {
    expect(resourceOutput(def, [{ node: 'n1', value: [status] }], { kind: 'table' }, false)).to.deep.equal([
      'NAMESPACE   TYPE            ID        VERSION   STAGE     READY',
      'runtime     MachineStatus   machine   3         running   true',
    ]);
    const two = resourceOutput(
      def,
      [
        { node: 'n1', value: [status] },
        { node: '10.5.0.3', value: [status] },
      ],
      { kind: 'table' },
      true,
    );
    expect(two[0]).to.equal('NODE       NAMESPACE   TYPE            ID        VERSION   STAGE     READY');
    expect(two[2]).to.match(/^10\.5\.0\.3 {3}runtime/);
  });
});
