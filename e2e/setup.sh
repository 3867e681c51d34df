#!/bin/sh
# Installs what the project needs on a fresh Debian 12 machine with Node.js 20 (as root), then builds.
# Run by `npm start` and `npm test` (their pre-scripts); safe to run again: it only does what is missing.
set -eu
cd "$(dirname "$0")/.."

# Debian packages later issues need are added to this list.
# etcd-server, etcd-client: the reference store `npm run bench` measures ours against (later: the cluster store); openssl: tests check certificates with a tool we did not write.
# containerd, runc: the node's container runtime (system services run as containers); busybox-static: a static program
# for service root filesystems in tests and benchmarks.
# kmod: modprobe, which loads machine.kernel.modules; linux-image-amd64: the Debian kernel whose /boot/config-* the
# kernel hardening test audits with osctl kernel audit --config (and, later, the kernel of the bootable image).
DEBS="iproute2 openssl etcd-server etcd-client containerd runc busybox-static kmod linux-image-amd64"
missing=""
for p in $DEBS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
# kubectl checks the kubeconfigs osctl writes: Debian's kubernetes-client unless some kubectl is there already.
command -v kubectl >/dev/null 2>&1 || missing="$missing kubernetes-client"
if [ -n "$missing" ]; then
  echo "setup: installing Debian packages:$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

# npm packages: a clean install when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "setup: building"
rm -rf dist
npx tsc -p tsconfig.json
# machined as one module: what a node runs (image/bundle.ts says why).
node dist/image/bundle.js
