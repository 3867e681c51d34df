// The request socket: one rtnetlink request at a time with sequence numbers, acks, errors and (retried) dumps.
import { NetlinkError } from './errors.js';
import { closeFd, openNetlinkSocket, recvInto, sendTo, setReceiveTimeout } from './ffi.js';
import {
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  NLM_F,
  decodeError,
  decodeMessages,
  encodeMessage,
  get16,
  get32,
  writeHeader,
} from './messages.js';
import type { ChangeRequest } from './requests.js';

const RECV_BUFFER = 64 * 1024;
/** The longest one request may hold the event loop (SO_RCVTIMEO); the kernel answers rtnetlink in microseconds. */
const REQUEST_TIMEOUT_MS = 2000;
const DUMP_RETRIES = 5;
/** Requests per datagram in a batch: about 20 KB of addresses or routes, far below the socket's buffers. */
const BATCH_MESSAGES = 256;

/**
 * A blocking rtnetlink socket. The kernel handles an rtnetlink request inside send(2), so its reply is queued by the
 * time recv(2) runs and recv returns at once; a dump's later parts are produced inside each recv. So the calls are
 * synchronous, bounded by REQUEST_TIMEOUT_MS, and never interleave (one JavaScript thread).
 */
export class RequestSocket {
  private seq = Math.floor(Math.random() * 0x7fffffff);
  private readonly buf = Buffer.alloc(RECV_BUFFER);
  private open = true;

  private constructor(private readonly fd: number) {}

  /** Opens a request socket in the calling process's network namespace. */
  static open(): RequestSocket {
    const fd = openNetlinkSocket(false);
    try {
      setReceiveTimeout(fd, REQUEST_TIMEOUT_MS);
    } catch (e) {
      closeFd(fd);
      throw e;
    }
    return new RequestSocket(fd);
  }

  /** True until {@link close}. */
  get isOpen(): boolean {
    return this.open;
  }

  /** Closes the socket (idempotent). */
  close(): void {
    if (!this.open) return;
    this.open = false;
    closeFd(this.fd);
  }

  /** Sends a request and waits for its ack; throws the kernel's refusal as a NetlinkError naming `op`. */
  ack(type: number, flags: number, body: Buffer, attrs: Buffer[], op: string): void {
    this.exchange(type, flags, body, attrs, () => undefined, op);
  }

  /**
   * Sends many change requests in few datagrams and returns, per request, undefined (done) or the kernel's refusal.
   * Only the last request of each datagram asks for an ack: the kernel handles a datagram's messages in order and
   * always reports errors, so that ack means every earlier one is done, and the errors before it say which failed.
   */
  ackBatch(reqs: readonly ChangeRequest[]): (NetlinkError | undefined)[] {
    const results: (NetlinkError | undefined)[] = new Array<NetlinkError | undefined>(reqs.length).fill(undefined);
    for (let start = 0; start < reqs.length; start += BATCH_MESSAGES) {
      const chunk = reqs.slice(start, start + BATCH_MESSAGES);
      const firstSeq = (this.seq + 1) >>> 0;
      // Each request writes itself into the one datagram: no buffer per message or attribute, no copies.
      let size = 0;
      for (const r of chunk) size += NLMSG_HDRLEN + r.length;
      const datagram = Buffer.allocUnsafe(size);
      let at = 0;
      chunk.forEach((r, i) => {
        const seq = (this.seq = (this.seq + 1) >>> 0);
        const ack = i === chunk.length - 1 ? NLM_F.ACK : 0;
        writeHeader(datagram, at, NLMSG_HDRLEN + r.length, r.type, r.flags | NLM_F.REQUEST | ack, seq);
        r.write(datagram, at + NLMSG_HDRLEN);
        at += NLMSG_HDRLEN + r.length;
      });
      const lastSeq = this.seq;
      const op = chunk.length === 1 ? (chunk[0]?.op ?? 'batch') : `batch of ${String(chunk.length)} changes`;
      sendTo(this.fd, datagram, op);
      for (let done = false; !done;) {
        const n = recvInto(this.fd, this.buf, false, op);
        for (const m of decodeMessages(this.buf, n)) {
          if (m.type !== NLMSG_ERROR) continue;
          const index = (m.seq - firstSeq) >>> 0;
          const req = chunk[index];
          if (req === undefined) continue; // a late reply to an earlier request
          const { errno, message } = decodeError(m);
          if (errno > 0) results[start + index] = NetlinkError.fromErrno(req.op, errno, message);
          if (m.seq === lastSeq) done = true;
        }
      }
    }
    return results;
  }

  /** Sends a request and returns the decoded replies before its ack (a GET of one object). */
  get<T>(type: number, body: Buffer, attrs: Buffer[], decode: (p: Buffer) => T, op: string): T[] {
    return this.exchange(type, 0, body, attrs, decode, op);
  }

  /** A whole dump (NLM_F_DUMP), decoded. */
  dump<T>(type: number, body: Buffer, attrs: Buffer[], decode: (p: Buffer) => T, op: string): T[] {
    // A dump that raced a change is flagged NLM_F_DUMP_INTR and may be inconsistent: take it again.
    for (let attempt = 1; ; attempt++) {
      const seen = { interrupted: false };
      const out = this.exchange(type, NLM_F.DUMP, body, attrs, decode, op, () => {
        seen.interrupted = true;
      });
      if (!seen.interrupted || attempt >= DUMP_RETRIES) return out;
    }
  }

  /** Sends one request and reads replies of its sequence number until the ack, the error or NLMSG_DONE. */
  private exchange<T>(
    type: number,
    flags: number,
    body: Buffer,
    attrs: Buffer[],
    decode: (p: Buffer) => T,
    op: string,
    onInterrupted?: () => void,
  ): T[] {
    const seq = (this.seq = (this.seq + 1) >>> 0);
    sendTo(this.fd, encodeMessage(type, flags | NLM_F.REQUEST | NLM_F.ACK, seq, body, attrs), op);
    const out: T[] = [];
    const buf = this.buf;
    for (;;) {
      const n = recvInto(this.fd, buf, false, op);
      // The messages walked in place, as decodeMessages does: a dump of a thousand routes needs no object per message.
      for (let at = 0; at + NLMSG_HDRLEN <= n;) {
        const len = get32(buf, at);
        if (len < NLMSG_HDRLEN || at + len > n) break;
        const next = at + ((len + 3) & ~3);
        // A late reply to an earlier request that failed mid-way is skipped.
        if (get32(buf, at + 8) === seq) {
          const type = get16(buf, at + 4);
          const flags = get16(buf, at + 6);
          if ((flags & NLM_F.DUMP_INTR) !== 0) onInterrupted?.();
          if (type === NLMSG_ERROR || type === NLMSG_DONE) {
            const [m] = decodeMessages(buf.subarray(at, at + len), len);
            const { errno, message } = m === undefined ? { errno: 0, message: undefined } : decodeError(m);
            if (errno > 0) throw NetlinkError.fromErrno(op, errno, message);
            return out;
          }
          out.push(decode(buf.subarray(at + NLMSG_HDRLEN, at + len)));
        }
        at = next;
      }
    }
  }
}
