// Returns the C heap's free pages to the kernel now and then: glibc keeps what OpenSSL, nghttp2 and libuv freed in
// its arenas, and a daemon's bursts (TLS handshakes while a cluster forms) leave it resident for good otherwise.
import koffi from 'koffi';

/** malloc_trim(3): releases free memory at the top of each arena and whole free pages inside it. */
let trim: ((pad: number) => number) | undefined;

/** Trims glibc's arenas once; false where there is no glibc malloc_trim (another libc). */
export function trimMalloc(): boolean {
  try {
    trim ??= koffi.load('libc.so.6').func('int malloc_trim(size_t pad)') as (pad: number) => number;
  } catch {
    return false;
  }
  trim(0);
  return true;
}
