/**
 * How many documents one claim may hold, and so how many `documentUploaded` signals its run may
 * receive: the API's quota (`DOCUMENTS_MAX_PER_CLAIM`) may not be set above it, and the run takes
 * no document past it.
 *
 * Why 1,000 keeps a claim's run far from Temporal's limits (51,200 events, 50 MB per history),
 * counted on a recorded history (tests/fixtures/histories/claimWorkflow-repeated-document*.json):
 * - a signal the claim is not waiting for costs 4 events (the signal, and the workflow task
 *   scheduled, started and completed that reads it); one it was waiting for also moves the claim
 *   (search attributes, a cancelled timer, the transition's and the e-mail's activities and their
 *   workflow tasks): 19 events. Even if every signal moved the claim, 1,000 × 20 = 20,000 events,
 *   under half the limit; in fact a move needs a "documents requested" decision before each one;
 * - a signal carries a document ID, an uploader ID and a file name of at most 200 characters:
 *   under 1 KB, so 1,000 of them add under 1 MB to the history.
 * Each stored document is signalled by one outbox message, delivered again only when recording
 * its delivery failed; the run takes a repeat as the no-op it is (by document ID).
 */
export const MAX_DOCUMENTS_PER_CLAIM = 1000;
