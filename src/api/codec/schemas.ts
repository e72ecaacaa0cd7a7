import Joi from 'joi';
import { object, required } from '../../shared/typed-schema';

/** A payload as Temporal's codec-server protocol carries it: protobuf JSON, bytes in base64. */
export interface CodecPayloadJson {
  metadata?: Record<string, string>;
  data?: string;
}

/** The request body is bounded by BODY_LIMIT as a whole; these bound each part of it. */
const MAX_PAYLOADS = 100;
const MAX_DATA_CHARACTERS = 1_400_000;

const payloadJson = Joi.object<CodecPayloadJson>({
  metadata: Joi.object<Record<string, string>>().pattern(Joi.string().max(100), Joi.string().base64().allow('').max(1000)).max(20),
  data: Joi.string().base64().allow('').max(MAX_DATA_CHARACTERS),
}).label('CodecPayload');

export const codecBody = object({ payloads: required(Joi.array<CodecPayloadJson[]>().items(payloadJson).max(MAX_PAYLOADS)) });

export const codecResponse = Joi.object({ payloads: Joi.array().items(payloadJson) }).label('CodecPayloads');
