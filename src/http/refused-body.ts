/**
 * The rest of a refused request's body, read and dropped. A client still sending a body over
 * the cap when the 413 goes out reads that answer only if the socket stays open until it has
 * sent the rest: a socket closed with unread bytes is reset, and the reset discards what the
 * client had not read yet, the answer included. The connection is kept alive for the client's
 * next request once the body has ended; past a bound of bytes or of time the socket closes, so
 * a client sending without end is not read forever.
 */
import type { IncomingMessage } from 'node:http';

export interface DiscardBound {
  bytes: number;
  ms: number;
}

/** The bound for a node whose body cap is `bodyLimit`: sixteen caps, at most 64 MiB, within 30 s. */
export function discardBound(bodyLimit: number): DiscardBound {
  return { bytes: Math.min(16 * bodyLimit, 64 * 1024 * 1024), ms: 30_000 };
}

/** Reads and drops what is left of `req`'s body, closing its socket past `bound`. */
export function discardRestOfBody(req: IncomingMessage, bound: DiscardBound): void {
  if (req.complete) return;
  let read = 0;
  const close = () => {
    stop();
    req.socket.destroy();
  };
  const onData = (chunk: Buffer) => {
    read += chunk.length;
    if (read > bound.bytes) close();
  };
  const timer = setTimeout(close, bound.ms).unref();
  const stop = () => {
    clearTimeout(timer);
    req.off('data', onData);
  };
  req.on('data', onData);
  req.once('end', stop);
  req.once('close', stop);
  // A client that gives up mid-body is no failure of ours.
  req.once('error', stop);
  req.resume();
}
