/**
 * The extracted service model: the subset of an official AWS service model (botocore JSON
 * form) that the edge needs — operations, HTTP bindings, shapes and their constraints.
 * Produced by scripts/codegen.ts into spec/models/<service>.json; never edited by hand.
 */
import { readFileSync } from 'node:fs';

export interface MemberRef {
  shape: string;
  location?: 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode';
  locationName?: string;
  idempotencyToken?: boolean;
  jsonvalue?: boolean;
  timestampFormat?: TimestampFormat;
}

export type TimestampFormat = 'iso8601' | 'unixTimestamp' | 'rfc822';

export interface Shape {
  type:
    | 'structure'
    | 'list'
    | 'map'
    | 'string'
    | 'integer'
    | 'long'
    | 'boolean'
    | 'timestamp'
    | 'double'
    | 'float'
    | 'blob';
  members?: Record<string, MemberRef>;
  required?: string[];
  member?: MemberRef;
  key?: MemberRef;
  value?: MemberRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  union?: boolean;
  sensitive?: boolean;
  timestampFormat?: TimestampFormat;
  error?: { httpStatusCode: number; senderFault?: boolean; code?: string };
  exception?: boolean;
  fault?: boolean;
}

export interface Operation {
  name: string;
  http: { method: string; requestUri: string; responseCode?: number };
  input?: { shape: string };
  output?: { shape: string };
  errors: string[];
}

export interface ServiceModel {
  metadata: { serviceId: string; apiVersion: string; signingName: string; protocol: string; source: string };
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
  /** Every operation of the full model, implemented or not, for uniform 501s and coverage. */
  allOperations: { name: string; method: string; requestUri: string }[];
}

const modelsDir = new URL('../../../spec/models/', import.meta.url);

export function loadModel(service: 'connect' | 'connectparticipant'): ServiceModel {
  return JSON.parse(readFileSync(new URL(`${service}.json`, modelsDir), 'utf8')) as ServiceModel;
}
