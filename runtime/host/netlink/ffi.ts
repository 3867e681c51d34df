// libc bindings through koffi for netlink sockets: socket, bind, send, recv, setsockopt, poll, eventfd, close.
import koffi from 'koffi';
import { NetlinkError } from './errors.js';

const libc = koffi.load('libc.so.6');

/** Why these functions: Node has no AF_NETLINK sockets; every call below is one libc function with its C prototype. */
const c = {
  socket: libc.func('int socket(int domain, int type, int protocol)'),
  bind: libc.func('int bind(int fd, const void *addr, uint32_t len)'),
  send: libc.func('intptr_t send(int fd, const void *buf, size_t len, int flags)'),
  recv: libc.func('intptr_t recv(int fd, _Out_ void *buf, size_t len, int flags)'),
  setsockopt: libc.func('int setsockopt(int fd, int level, int name, const void *val, uint32_t len)'),
  poll: libc.func('int poll(_Inout_ void *fds, unsigned long nfds, int timeout)'),
  eventfd: libc.func('int eventfd(unsigned int initval, int flags)'),
  write: libc.func('intptr_t write(int fd, const void *buf, size_t len)'),
  close: libc.func('int close(int fd)'),
};

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const NETLINK_ROUTE = 0;
const SOL_SOCKET = 1;
const SO_RCVBUF = 8;
const SO_RCVTIMEO = 20;
const SO_RCVBUFFORCE = 33;
const SOL_NETLINK = 270;
const NETLINK_ADD_MEMBERSHIP = 1;
const NETLINK_CAP_ACK = 10;
const NETLINK_EXT_ACK = 11;
const MSG_DONTWAIT = 0x40;
const EFD_CLOEXEC = 0o2000000;
const EFD_NONBLOCK = 0o4000;
const POLLIN = 1;
const EAGAIN = 11;
const EINTR = 4;

function check(op: string, rc: number | bigint): number {
  const n = Number(rc);
  if (n < 0) throw NetlinkError.fromErrno(op, koffi.errno());
  return n;
}

function setInt(fd: number, level: number, name: number, value: number, op: string): void {
  const v = Buffer.alloc(4);
  v.writeInt32LE(value);
  check(op, c.setsockopt(fd, level, name, v, 4) as number);
}

/** Opens an rtnetlink socket bound to a kernel-assigned port, with extended acks; `nonblocking` for event sockets. */
export function openNetlinkSocket(nonblocking: boolean): number {
  const type = SOCK_RAW | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0);
  const fd = check('socket(AF_NETLINK)', c.socket(AF_NETLINK, type, NETLINK_ROUTE) as number);
  try {
    const addr = Buffer.alloc(12); // sockaddr_nl: family u16, pad u16, pid u32 (0: kernel assigns), groups u32
    addr.writeUInt16LE(AF_NETLINK, 0);
    check('bind(AF_NETLINK)', c.bind(fd, addr, addr.length) as number);
    setInt(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1, 'setsockopt(NETLINK_EXT_ACK)');
    setInt(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1, 'setsockopt(NETLINK_CAP_ACK)');
    return fd;
  } catch (e) {
    c.close(fd);
    throw e;
  }
}

/** Joins an RTNLGRP_* multicast group. */
export function addMembership(fd: number, group: number): void {
  setInt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group, `setsockopt(NETLINK_ADD_MEMBERSHIP ${group})`);
}

/** Sets the receive buffer (SO_RCVBUFFORCE as root, else SO_RCVBUF capped by rmem_max). */
export function setReceiveBuffer(fd: number, bytes: number): void {
  try {
    setInt(fd, SOL_SOCKET, SO_RCVBUFFORCE, bytes, 'setsockopt(SO_RCVBUFFORCE)');
  } catch {
    setInt(fd, SOL_SOCKET, SO_RCVBUF, bytes, 'setsockopt(SO_RCVBUF)');
  }
}

/** Bounds how long a blocking recv on `fd` may wait: the longest the event loop can be held by one request. */
export function setReceiveTimeout(fd: number, ms: number): void {
  const tv = Buffer.alloc(16); // struct timeval: tv_sec, tv_usec (64-bit each)
  tv.writeBigInt64LE(BigInt(Math.floor(ms / 1000)), 0);
  tv.writeBigInt64LE(BigInt((ms % 1000) * 1000), 8);
  check('setsockopt(SO_RCVTIMEO)', c.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16) as number);
}

/** Sends one datagram (one or more netlink messages) to the kernel. */
export function sendTo(fd: number, data: Buffer, op: string): void {
  const n = check(op, c.send(fd, data, data.length, 0) as number | bigint);
  if (n !== data.length) throw NetlinkError.fromErrno(op, 90 /* EMSGSIZE */);
}

/** Receives one datagram into `buf`; with `dontWait`, returns 0 when nothing is queued. */
export function recvInto(fd: number, buf: Buffer, dontWait: boolean, op: string): number {
  for (;;) {
    const n = Number(c.recv(fd, buf, buf.length, dontWait ? MSG_DONTWAIT : 0) as number | bigint);
    if (n >= 0) return n;
    const errno = koffi.errno();
    if (errno === EINTR) continue;
    if (errno === EAGAIN && dontWait) return 0;
    throw NetlinkError.fromErrno(op, errno);
  }
}

/** An eventfd used to wake a worker thread blocked in poll(2). */
export function openWakeFd(): number {
  return check('eventfd', c.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK) as number);
}

/** Makes `wakeFd` readable, which ends a pending {@link pollReadable}. */
export function wake(wakeFd: number): void {
  const one = Buffer.alloc(8);
  one.writeBigUInt64LE(1n);
  c.write(wakeFd, one, 8);
}

/**
 * Waits on a libuv worker thread (koffi's async call) until `fd` or `wakeFd` is readable; no spinning, no timeout.
 * Resolves true when `fd` is readable, false when woken. The caller must not close either fd before it resolves.
 */
export function pollReadable(fd: number, wakeFd: number): Promise<boolean> {
  const fds = Buffer.alloc(16); // two struct pollfd: fd i32, events i16, revents i16
  fds.writeInt32LE(fd, 0);
  fds.writeInt16LE(POLLIN, 4);
  fds.writeInt32LE(wakeFd, 8);
  fds.writeInt16LE(POLLIN, 12);
  return new Promise((resolve, reject) => {
    c.poll.async(fds, 2, -1, (err: unknown, rc: unknown) => {
      if (err !== null && err !== undefined) {
        reject(err instanceof Error ? err : new Error('poll(2) on a worker thread failed', { cause: err }));
        return;
      }
      // rc < 0 is EINTR in practice: report "readable" and let the caller's non-blocking recv find out.
      resolve(Number(rc) < 0 || fds.readInt16LE(14) === 0);
    });
  });
}

/** Closes a file descriptor, ignoring errors (used on teardown only). */
export function closeFd(fd: number): void {
  c.close(fd);
}
