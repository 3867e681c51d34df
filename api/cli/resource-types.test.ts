// Type-name resolution of `osctl get`: names and aliases in any case, plural or singular; clear errors otherwise.
import { expect } from 'chai';
import type { ResourceDefinitionSpec } from '../../resources/index.js';
import { CommandFailure } from './report.js';
import { resolveType } from './resource-types.js';

const def = (type: string, aliases: string[]): ResourceDefinitionSpec => ({
  type,
  aliases: [type.toLowerCase(), ...aliases],
  defaultNamespace: 'ns',
  printColumns: [],
  sensitivity: 'public',
});

const DEFS = [
  def('MachineStatus', ['machinestatuses']),
  def('AddressStatus', ['addresses', 'address']),
  def('ResourceDefinition', ['rd', 'rds', 'resourcedefinitions']),
  def('KernelParamStatus', ['sysctls']),
  def('Policy', []),
  def('Route', []),
  def('Routes', []),
];

function failure(name: string): string[] {
  try {
    resolveType(DEFS, name);
  } catch (e) {
    expect(e).to.be.instanceOf(CommandFailure);
    return [...(e as CommandFailure).lines];
  }
  throw new Error(`${name} resolved`);
}

describe('osctl get type names', () => {
  it('accepts type names and aliases in any case', () => {
    for (const [name, type] of [
      ['MachineStatus', 'MachineStatus'],
      ['machinestatus', 'MachineStatus'],
      ['MACHINESTATUSES', 'MachineStatus'],
      ['rd', 'ResourceDefinition'],
      ['addresses', 'AddressStatus'],
      ['AddressStatus', 'AddressStatus'],
      ['sysctls', 'KernelParamStatus'],
    ]) {
      expect(resolveType(DEFS, name ?? '').type, name).to.equal(type);
    }
  });

  it('accepts plural and singular forms that are not aliases', () => {
    expect(resolveType(DEFS, 'resourcedefinition').type).to.equal('ResourceDefinition');
    expect(resolveType(DEFS, 'policies').type).to.equal('Policy');
    expect(resolveType(DEFS, 'kernelparamstatuses').type).to.equal('KernelParamStatus');
  });

  it('an exact name wins over a plural form of another type', () => {
    expect(resolveType(DEFS, 'routes').type).to.equal('Routes');
    expect(resolveType(DEFS, 'route').type).to.equal('Route');
  });

  it('an unknown name says how to list the types, with a suggestion when one is close', () => {
    expect(failure('machinestauts')).to.deep.equal([
      'osctl: unknown resource type "machinestauts" (did you mean MachineStatus?); `osctl get rd` lists the types',
    ]);
    expect(failure('frobnicators')).to.deep.equal([
      'osctl: unknown resource type "frobnicators"; `osctl get rd` lists the types',
    ]);
  });
});
