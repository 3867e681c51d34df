// The machine section of v1alpha1: role, join token, machine CA, kubelet, network, disks, install, and host settings.
import { z } from 'zod';
import { checkDevicePath, checkMachineToken } from './checks.js';
import {
  CaSchema,
  ExtraArgsSchema,
  ImageText,
  IpText,
  PathText,
  SanText,
  SubnetMatchText,
  checkedString,
  field,
} from './common.js';
import { EnvSchema, FileSchema, KernelSchema, RegistriesSchema, SysctlsSchema, TimeSchema } from './machine-system.js';
import { NetworkSchema } from './network.js';
import { ExtensionServicesSchema } from './services.js';

const ExtraMountSchema = z
  .looseObject({
    destination: PathText.describe('Where the mount appears inside the kubelet container, e.g. /var/lib/example.'),
    type: z.string().describe('The mount type, e.g. bind.').meta({ example: 'bind' }).optional(),
    source: PathText.describe('The host path to mount, e.g. /var/lib/example.').optional(),
    options: z
      .array(z.string())
      .describe('fstab-style mount options; include bind or rbind, e.g. [bind, rshared, rw].')
      .optional(),
  })
  .superRefine(
    (m: unknown, ctx) => {
      const options = field(m, 'options');
      const opts = Array.isArray(options) ? options : undefined;
      if (opts !== undefined && !opts.some((o) => o === 'bind' || o === 'rbind')) {
        ctx.addIssue({
          code: 'custom',
          path: ['options'],
          message: `${JSON.stringify(opts)} has neither bind nor rbind; add one (e.g. [bind, rw]) so the host path is mounted`,
          input: opts,
        });
      }
    },
    { when: () => true },
  );

/** machine.kubelet. */
export const KubeletSchema = z.looseObject({
  image: ImageText.describe('The kubelet container image; its tag picks the Kubernetes version.')
    .meta({ example: 'ghcr.io/siderolabs/kubelet:v1.30.0' })
    .optional(),
  extraArgs: ExtraArgsSchema.describe(
    'Extra kubelet flags without leading dashes, e.g. { max-pods: "250" }.',
  ).optional(),
  extraMounts: z.array(ExtraMountSchema).describe('Extra host paths mounted into the kubelet container.').optional(),
  nodeIP: z
    .looseObject({
      validSubnets: z
        .array(SubnetMatchText)
        .describe('Subnets to pick the node IP from, e.g. [10.5.0.0/24]; a leading ! excludes one, e.g. !10.5.0.1/32.')
        .optional(),
    })
    .describe('How the kubelet picks the node IP when the node has several addresses.')
    .optional(),
  clusterDNS: z
    .array(IpText)
    .describe('Cluster DNS addresses to hand to pods instead of the default, e.g. [10.96.0.10].')
    .optional(),
});

const SizeText = checkedString(
  (s) =>
    /^\d+(\.\d+)?\s*([KMGTPE]i?B|B)?$/i.test(s)
      ? undefined
      : `${JSON.stringify(s)} is not a size (e.g. 100 GB or 4GiB)`,
  { format: 'size', example: '100 GB' },
);

const DiskSchema = z.looseObject({
  device: checkedString(checkDevicePath, { format: 'device path', example: '/dev/sdb' }).describe(
    'The extra disk to partition, e.g. /dev/sdb.',
  ),
  partitions: z
    .array(
      z.looseObject({
        mountpoint: PathText.describe('Where to mount the partition, e.g. /var/mnt/extra.'),
        size: z
          .union([z.number().int().min(0), SizeText])
          .describe(
            'The partition size in bytes or with a unit, e.g. 100 GB; leave it out to use the rest of the disk.',
          )
          .optional(),
      }),
    )
    .describe('Partitions to create, in order.')
    .optional(),
});

/** machine.install. */
export const InstallSchema = z.looseObject({
  disk: checkedString(checkDevicePath, { format: 'device path', example: '/dev/sda' })
    .describe('The disk to install to, e.g. /dev/sda or /dev/nvme0n1; required on bare metal.')
    .optional(),
  image: ImageText.describe('The installer image to install from.')
    .meta({ example: 'ghcr.io/siderolabs/installer:v1.7.0' })
    .optional(),
  extraKernelArgs: z
    .array(z.string())
    .describe('Extra kernel command-line arguments, e.g. [console=ttyS0].')
    .optional(),
  wipe: z.boolean().describe('Wipe the whole disk before installing.').meta({ default: false }).optional(),
});

/** machine. */
export const MachineSchema = z.looseObject({
  type: z
    .enum(['controlplane', 'worker'])
    .describe('The role of the node: controlplane runs etcd and the Kubernetes control plane; worker runs workloads.'),
  token: checkedString(checkMachineToken, { format: 'token', sensitive: true, example: 'abcdef.0123456789abcdef' })
    .describe('The token this node presents to join the cluster PKI (trustd); the same on every node.')
    .optional(),
  ca: CaSchema.describe('The machine API CA; workers hold only crt (key: "").').optional(),
  certSANs: z
    .array(SanText)
    .describe('Extra names and addresses for the node API certificate, e.g. [10.5.0.2, node1.example.com].')
    .optional(),
  kubelet: KubeletSchema.describe('Kubelet settings.').optional(),
  network: NetworkSchema.describe('Network settings of this node.').optional(),
  disks: z.array(DiskSchema).describe('Extra disks to partition and mount (not the install disk).').optional(),
  install: InstallSchema.describe('Installation settings; machine.install.disk is required on bare metal.').optional(),
  files: z.array(FileSchema).describe('Files to write at boot.').optional(),
  env: EnvSchema.optional(),
  time: TimeSchema.describe('Time synchronization settings.').optional(),
  sysctls: SysctlsSchema.optional(),
  kernel: KernelSchema.describe('Kernel settings.').optional(),
  registries: RegistriesSchema.describe('Image registry mirrors, TLS and credentials.').optional(),
  services: ExtensionServicesSchema.optional(),
});
