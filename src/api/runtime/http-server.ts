/**
 * The API's HTTP server: `node:http` with the request listener given (the Koa app's callback),
 * and turns of the event loop kept short while clients are connecting.
 *
 * Node accepts one waiting connection per turn of its event loop (libuv accepts once and waits for
 * the listening socket to poll readable again, libuv/libuv#3696; strace of the API shows one
 * accept4 after each epoll_pwait), and a turn runs every request ready on the connections already
 * open. When many clients connect at once to a busy process (100 connections opened together, a
 * load balancer refilling its pool after a restart), the k-th connection waits in the kernel's
 * accept queue for k turns, each as long as the work of every connection accepted before it: on
 * the started stack the last of 100 waited 1 to 2.8 s while the others were answered in 25 ms
 * (docs/performance.md, The accept queue).
 *
 * So while connections are being accepted, each turn begins one request and the others wait in
 * the order they came: a turn costs about one request and the next connection is accepted in the
 * next turn. The first turn that accepts nothing means the queue is empty: the waiting requests all
 * begin, and the server is back to running every ready request in a turn, at no cost per request.
 */
import http from 'node:http';

/**
 * How long a client may take to send a request's headers, and the whole request with its body (at most
 * BODY_LIMIT, 1 MB by default: 30 s is about 270 kbit/s). Node's defaults are 60 s and 5 minutes, so a
 * client that sent `Content-Length` and then nothing held its connection for 5 minutes; past these it is
 * answered 408 and the connection is closed.
 */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 30_000;
/** How often Node looks for requests past those deadlines (default 30 s, which would add up to 30 s to each). */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/** What answers a request; Koa's callback settles its own promise (its errors are answered, never thrown). */
type Listener = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export function createHttpServer(listener: Listener): http.Server {
  const waiting: Array<[http.IncomingMessage, http.ServerResponse]> = [];
  /** A connection was accepted since the last end of a turn: more may be queued behind it. */
  let acceptedThisTurn = false;
  /** Requests wait their turn: connections are being accepted. */
  let accepting = false;
  /** While accepting, a turn runs from one end of turn to the next: one request begins in it. */
  let begunThisTurn = false;
  let endOfTurnScheduled = false;

  const begin = ([req, res]: [http.IncomingMessage, http.ServerResponse]) => void listener(req, res);

  // setImmediate runs after the turn's I/O (poll) phase, and one scheduled from it runs after the next turn's.
  const scheduleEndOfTurn = () => {
    if (endOfTurnScheduled) return;
    endOfTurnScheduled = true;
    setImmediate(endOfTurn);
  };

  function endOfTurn(): void {
    endOfTurnScheduled = false;
    if (!acceptedThisTurn) {
      accepting = false;
      begunThisTurn = false;
      waiting.splice(0).forEach(begin);
      return;
    }
    acceptedThisTurn = false;
    const next = waiting.shift();
    begunThisTurn = next !== undefined;
    if (next) begin(next);
    scheduleEndOfTurn();
  }

  const timeouts = {
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
  };
  const server = http.createServer(timeouts, (req, res) => {
    if (accepting) {
      if (begunThisTurn || waiting.length > 0) {
        waiting.push([req, res]);
        return;
      }
      begunThisTurn = true;
    }
    void listener(req, res);
  });
  server.on('connection', () => {
    acceptedThisTurn = true;
    accepting = true;
    scheduleEndOfTurn();
  });
  return server;
}
