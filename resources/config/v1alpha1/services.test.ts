// machine.services: extension services are checked field by field, names are unique and never the node's own.
import { expect } from 'chai';
import { fullConfig } from './fixture.js';
import { durationMs } from './services.js';
import { edit, issuesOf } from './testing.js';
import { validateMachineConfig } from './validate.js';

const opts = { mode: 'metal' as const, strict: true };
const web = { name: 'web', command: ['/bin/busybox', 'httpd', '-f', '-p', '8080'], healthCheck: { tcpPort: 8080 } };

function issues(services: unknown) {
  return issuesOf(() => validateMachineConfig(edit(fullConfig(), ['machine', 'services'], services), opts)).map(
    (i) => `${i.path}: ${i.message}`,
  );
}

describe('config machine.services', () => {
  it('accepts a service with a program, environment, restart policy and TCP health check', () => {
    const doc = validateMachineConfig(
      edit(fullConfig(), ['machine', 'services'], [{ ...web, environment: { A_B: '1' }, restart: 'untilSuccess' }]),
      opts,
    );
    expect(doc.config.machine.services?.[0]?.name).to.equal('web');
  });

  it('names the field, the value and the fix for bad services', () => {
    expect(issues([{ ...web, name: 'etcd' }])).to.deep.equal([
      'machine.services[0].name: "etcd" is a service of the node itself; pick another name (reserved: machined, containerd, apid, trustd, etcd, kubelet)',
    ]);
    expect(issues([{ ...web, name: 'Web_1' }])[0]).to.match(
      /^machine\.services\[0\]\.name: "Web_1" is not a service name/,
    );
    expect(issues([{ ...web, command: ['busybox'] }])[0]).to.match(
      /^machine\.services\[0\]\.command\[0\]: the program must be an absolute path/,
    );
    expect(issues([web, web])).to.deep.equal([
      'machine.services[1].name: service "web" is defined twice; names must be unique',
    ]);
    expect(issues([{ ...web, healthCheck: { tcpPort: 70000 } }])[0]).to.match(
      /^machine\.services\[0\]\.healthCheck\.tcpPort/,
    );
    expect(issues([{ ...web, healthCheck: { tcpPort: 80, period: 'often' } }])[0]).to.match(
      /^machine\.services\[0\]\.healthCheck\.period: "often" is not a duration/,
    );
    expect(issues([{ ...web, restart: 'sometimes' }])[0]).to.match(/^machine\.services\[0\]\.restart/);
  });

  it('reads Go durations in milliseconds', () => {
    expect(durationMs('1s')).to.equal(1000);
    expect(durationMs('1m30s')).to.equal(90_000);
    expect(durationMs('250ms')).to.equal(250);
    expect(durationMs('0')).to.equal(0);
  });
});
