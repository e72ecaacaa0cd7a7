/**
 * Temporal's codec-server protocol (POST <endpoint>/decode and /encode, `{ payloads }` with
 * base64 bytes, the namespace in X-Namespace), so the Temporal UI and CLI show an operator the
 * payloads the API and workers encrypt (src/services/payload-codec.ts) and the personal fields they
 * seal (src/services/person-data-codec.ts). Platform admins only: the
 * keys open every tenant's payloads, so no tenant role may use them. The UI's origin reaches it
 * through the CORS rule of src/api/app.ts; the UI cannot send the API's tokens, so a platform admin
 * signs the browser in once (`POST /codec/session`, e.g. from Swagger UI) and the UI sends the
 * cookie that sets (TEMPORAL_CODEC_INCLUDE_CREDENTIALS).
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Config } from '../../config';
import { PayloadDecryptionError } from '../../services/payload-codec';
import { payloadCodecs } from '../../services/temporal';
import { badRequest, unprocessable } from '../../shared/errors';
import { setApiCookie } from '../http/cookies';
import { API_PREFIX, CODEC_PATH, CODEC_SESSION_COOKIE } from '../http/paths';
import { route, RouteContext, RouteSpec, tagged } from '../http/route';
import { codecBody, codecResponse, type CodecPayloadJson } from './schemas';

function fromJson(payload: CodecPayloadJson): Payload {
  const metadata = Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]));
  return { metadata, data: Buffer.from(payload.data ?? '', 'base64') };
}

function toJson(payload: Payload): CodecPayloadJson {
  const metadata = Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? []).toString('base64')]),
  );
  return { metadata, data: Buffer.from(payload.data ?? []).toString('base64') };
}

/** The keys are this deployment's: a UI showing another namespace must not take its payloads for ours. */
function checkNamespace(ctx: RouteContext, namespace: string): void {
  const asked = ctx.get('X-Namespace');
  if (asked && asked !== namespace)
    throw badRequest(`This codec serves the namespace "${namespace}" only`, [{ field: 'X-Namespace', message: 'another namespace' }]);
}

export function codecRoutes(config: Config): RouteSpec[] {
  const codecs = payloadCodecs(config.temporal);
  // Decoding undoes the codecs in the reverse order of encoding, as the SDK's data converter does.
  const encode = (payloads: Payload[]) =>
    codecs.reduce<Promise<Payload[]>>(async (done, codec) => codec.encode(await done), Promise.resolve(payloads));
  const decode = (payloads: Payload[]) =>
    codecs.reduceRight<Promise<Payload[]>>(async (done, codec) => codec.decode(await done), Promise.resolve(payloads));
  const apply = (step: 'encode' | 'decode', transform: PayloadCodec['encode']) =>
    route({
      method: 'post',
      path: `${CODEC_PATH}/${step}`,
      summary: `Temporal codec server: ${step} payloads for the Temporal UI or CLI (platform admins; a person's marked fields are sealed or opened with their data key, erased once it is destroyed; without PAYLOAD_CODEC_KEYS payloads are otherwise unchanged)`,
      verb: 'codePayloads',
      // The Temporal UI's calls carry the session cookie, not a token; no other route takes it.
      auth: 'codec-session',
      body: codecBody,
      response: { status: 200, schema: codecResponse },
      // The answer is a pure function of the request: nothing to replay.
      idempotent: false,
      handler: async (ctx) => {
        checkNamespace(ctx, config.temporal.namespace);
        try {
          ctx.body = { payloads: (await transform(ctx.state.input.body.payloads.map(fromJson))).map(toJson) };
        } catch (err) {
          if (err instanceof PayloadDecryptionError) throw unprocessable(err.message);
          throw err;
        }
      },
    });
  const session = route({
    method: 'post',
    path: `${CODEC_PATH}/session`,
    summary:
      'Sign a browser in to the codec routes for the Temporal UI (platform admins): an HttpOnly cookie, taken by encode and decode alone, holds this access token until it expires',
    verb: 'openCodecSession',
    response: { status: 204 },
    idempotent: false,
    handler: async (ctx) => {
      const { exp } = ctx.state.jwt;
      // SameSite=Strict still reaches the API from the UI: a UI and an API on one site (other
      // ports or subdomains) are same-site.
      setApiCookie(ctx, config, CODEC_SESSION_COOKIE, ctx.state.bearerToken, {
        sameSite: 'strict',
        path: `${API_PREFIX}${CODEC_PATH}`,
        maxAge: exp * 1000 - Date.now(),
      });
      ctx.status = 204;
    },
  });
  return tagged('workflows', [apply('encode', encode), apply('decode', decode), session]);
}
