/**
 * Telling a server that stopped answering from one that is slow. A frozen process (SIGSTOP, a VM
 * paused, a host whose network went dark behind a proxy) leaves its port accepting connections, so
 * a call to it ends only at its deadline, which must be long enough for the slowest legitimate call
 * (docs/failure-semantics.md, A dependency that stops answering). Instead, a call unanswered for
 * SILENCE_PROBE_MS makes the process ask the server something trivial on another connection; a
 * server that does not answer that within SILENCE_PROBE_MS either is taken to be silent and the
 * call is cut, about 2 s after it began. A server that answers the probe is only slow: the call
 * goes on to its own deadline, probed again every SILENCE_PROBE_MS.
 */

/** How long a call waits before the server is probed, and how long the probe may take. */
export const SILENCE_PROBE_MS = 1000;

export interface SilenceWatch {
  /** Watches one call until the returned function is called: `cut` ends it once a probe found the server silent. */
  watch(cut: () => void): () => void;
  /**
   * Resolves once no probe is in flight. A probe outlives the calls it watched: whoever closes the
   * probed server's client awaits this first, so no probe is left on a closed connection.
   */
  idle(): Promise<void>;
}

/**
 * How much later than SILENCE_PROBE_MS a failed probe may end and still count as the server's
 * silence. Later, this process itself was held up (a long synchronous task, a collection pause),
 * and the probe's timer may have fired before the answer waiting in its socket was read: no verdict,
 * the next check probes again.
 */
const PROBE_LATE_MS = 250;

/** `answers` resolves whether the server answered within SILENCE_PROBE_MS (a rejection is no answer); calls watched at once share one probe. */
export function silenceWatch(answers: () => Promise<boolean>): SilenceWatch {
  let probing: Promise<boolean> | undefined;
  const probe = () =>
    (probing ??= (async () => {
      const started = performance.now();
      const answered = await answers().catch(() => false);
      probing = undefined;
      return answered || performance.now() - started > SILENCE_PROBE_MS + PROBE_LATE_MS;
    })());

  return {
    watch(cut) {
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const check = () =>
        void probe().then((answered) => {
          if (settled) return;
          if (answered) {
            timer = setTimeout(check, SILENCE_PROBE_MS);
            return;
          }
          settled = true;
          cut();
        });
      timer = setTimeout(check, SILENCE_PROBE_MS);
      return () => {
        settled = true;
        clearTimeout(timer);
      };
    },
    async idle() {
      while (probing) await probing;
    },
  };
}
