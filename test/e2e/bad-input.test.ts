/**
 * Bad input at the Connect API edge, as a table: every constraint of StartChatContact at and
 * past its boundary, wrong JSON types, missing members, malformed and oversized bodies, bad
 * signatures, and a few rows for other operations. Each row names the exact error type (in
 * both `x-amzn-ErrorType` and the body's `__type`) and status it must get; "at the boundary"
 * rows must succeed. One node serves the whole table, and must still serve a normal
 * StartChatContact afterwards: no row may crash it, hang it or get a 5xx it did not ask for.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { DescribeContactCommand, StartChatContactCommand } from '@aws-sdk/client-connect';
import { startTestNode, type TestNode } from '../support/node.ts';
import {
  signRequest,
  signedRequest,
  type RawRequest,
  type RawResponse,
  type SignOptions,
} from '../support/signed-http.ts';

const IPE = 'InvalidParameterException';
const IRE = 'InvalidRequestException';
const RNF = 'ResourceNotFoundException';
const SER = 'SerializationException';
const SIG = 'InvalidSignatureException';
const INCOMPLETE = 'IncompleteSignatureException';
const MIB = 1024 * 1024;

/** What the rows can refer to: the node's instance and flow, and a live chat made in before(). */
interface Ctx {
  instanceId: string;
  flowId: string;
  contactId: string;
}

type ChatBody = Record<string, any>;

interface Row {
  name: string;
  /** A mutation of a valid StartChatContact body (PUT /contact/chat). */
  chat?: (body: ChatBody, ctx: Ctx) => void;
  /** Or a raw StartChatContact body (string or bytes). */
  rawChat?: (ctx: Ctx) => string | Buffer;
  /** Or any request. */
  request?: (ctx: Ctx) => RawRequest;
  /** How to sign (default: the node's own key, now). */
  sign?: (opts: SignOptions, ctx: Ctx) => SignOptions;
  status: number;
  /** Required unless status is 200. */
  type?: string;
  /** What the Message must say. */
  message?: RegExp;
}

const x = (n: number, c = 'x') => c.repeat(n);
/** The Coral wording of a single constraint violation at `path`. */
const violation = (path: string, constraint: string | RegExp) =>
  new RegExp(
    `^1 validation error detected: Value .* at '${path.replace(/\./g, '\\.')}' failed to satisfy constraint: ${
      typeof constraint === 'string' ? constraint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : constraint.source
    }`,
  );
const tooShort = (path: string, min: number) =>
  violation(path, `Member must have length greater than or equal to ${min}`);
const tooLong = (path: string, max: number) =>
  violation(path, `Member must have length less than or equal to ${max}`);
const below = (path: string, min: number) =>
  violation(path, `Member must have value greater than or equal to ${min}`);
const above = (path: string, max: number) =>
  violation(path, `Member must have value less than or equal to ${max}`);
const notEnum = (path: string) => violation(path, /Member must satisfy enum value set: \[/);
const missing = (path: string) =>
  new RegExp(
    `^1 validation error detected: Value null at '${path.replace(/\./g, '\\.')}' failed to satisfy constraint: Member must not be null$`,
  );
const wrongType = (path: string, expected: string) =>
  new RegExp(`Expected ${expected} at '${path.replace(/\./g, '\\.')}'`);
const json = (body: unknown) => JSON.stringify(body);
const attrBytes = /Contact attributes total \d+ UTF-8 bytes; the limit is 32768/;
const MISMATCH = /^The request signature we calculated does not match the signature you provided/;

function attributesOfBytes(total: number, key = 'k', unit = 'x'): Record<string, string> {
  const unitBytes = Buffer.byteLength(unit);
  const valueBytes = total - Buffer.byteLength(key);
  assert.equal(valueBytes % unitBytes, 0, 'attribute value must be whole characters');
  return { [key]: unit.repeat(valueBytes / unitBytes) };
}

const chatRows: Row[] = [
  // ---- the baseline, and unknown members (ignored, as newer SDKs may send them)
  { name: 'valid StartChatContact', chat: () => {}, status: 200 },
  { name: 'unknown members are ignored', chat: (b) => (b.SomethingNew = { nested: [1, 2] }), status: 200 },

  // ---- required members
  {
    name: 'InstanceId missing',
    chat: (b) => delete b.InstanceId,
    status: 400,
    type: IPE,
    message: missing('instanceId'),
  },
  {
    name: 'InstanceId null is missing',
    chat: (b) => (b.InstanceId = null),
    status: 400,
    type: IPE,
    message: missing('instanceId'),
  },
  {
    name: 'ContactFlowId missing',
    chat: (b) => delete b.ContactFlowId,
    status: 400,
    type: IPE,
    message: missing('contactFlowId'),
  },
  {
    name: 'ParticipantDetails missing',
    chat: (b) => delete b.ParticipantDetails,
    status: 400,
    type: IPE,
    message: missing('participantDetails'),
  },
  {
    name: 'ParticipantDetails.DisplayName missing',
    chat: (b) => (b.ParticipantDetails = {}),
    status: 400,
    type: IPE,
    message: missing('participantDetails.displayName'),
  },
  {
    name: 'empty body: all three required members reported together',
    rawChat: () => '',
    status: 400,
    type: IPE,
    message:
      /^3 validation errors detected: Value null at 'instanceId'.*; Value null at 'contactFlowId'.*; Value null at 'participantDetails'/,
  },
  {
    name: 'empty object: all three required members reported together',
    rawChat: () => '{}',
    status: 400,
    type: IPE,
    message: /^3 validation errors detected: /,
  },

  // ---- InstanceId (1–100) and ContactFlowId (≤500)
  {
    name: 'InstanceId empty',
    chat: (b) => (b.InstanceId = ''),
    status: 400,
    type: IPE,
    message: tooShort('instanceId', 1),
  },
  {
    name: 'InstanceId 101 chars',
    chat: (b) => (b.InstanceId = x(101)),
    status: 400,
    type: IPE,
    message: tooLong('instanceId', 100),
  },
  {
    name: 'InstanceId 100 chars passes validation, unknown instance',
    chat: (b) => (b.InstanceId = x(100)),
    status: 404,
    type: RNF,
    message: /Instance x+ not found/,
  },
  {
    name: 'unknown InstanceId (uuid)',
    chat: (b) => (b.InstanceId = randomUUID()),
    status: 404,
    type: RNF,
    message: /^Instance [0-9a-f-]{36} not found/,
  },
  {
    name: 'ContactFlowId 501 chars',
    chat: (b) => (b.ContactFlowId = x(501)),
    status: 400,
    type: IPE,
    message: tooLong('contactFlowId', 500),
  },
  {
    name: 'ContactFlowId 500 chars passes validation, unknown flow',
    chat: (b) => (b.ContactFlowId = x(500)),
    status: 404,
    type: RNF,
    message: /x{20}/,
  },
  {
    name: 'unknown ContactFlowId (uuid)',
    chat: (b) => (b.ContactFlowId = randomUUID()),
    status: 404,
    type: RNF,
    message: /[0-9a-f-]{36}/,
  },

  // ---- DisplayName (1–256)
  {
    name: 'DisplayName empty',
    chat: (b) => (b.ParticipantDetails.DisplayName = ''),
    status: 400,
    type: IPE,
    message: tooShort('participantDetails.displayName', 1),
  },
  { name: 'DisplayName 1 char', chat: (b) => (b.ParticipantDetails.DisplayName = 'J'), status: 200 },
  { name: 'DisplayName 256 chars', chat: (b) => (b.ParticipantDetails.DisplayName = x(256)), status: 200 },
  {
    name: 'DisplayName 257 chars',
    chat: (b) => (b.ParticipantDetails.DisplayName = x(257)),
    status: 400,
    type: IPE,
    message: tooLong('participantDetails.displayName', 256),
  },

  // ---- Attributes: key characters, and 32,768 UTF-8 bytes over keys + values
  {
    name: 'attribute keys of letters, digits, - and _',
    chat: (b) => (b.Attributes = { 'Ab-9_z': 'v', k2: '' }),
    status: 200,
  },
  {
    name: 'attribute key with a space',
    chat: (b) => (b.Attributes = { 'bad key': 'v' }),
    status: 400,
    type: IPE,
    message: /Attribute key 'bad key' is invalid/,
  },
  {
    name: 'attribute key with a dot',
    chat: (b) => (b.Attributes = { 'a.b': 'v' }),
    status: 400,
    type: IPE,
    message: /Attribute key 'a\.b' is invalid/,
  },
  {
    name: 'attribute key with a non-ASCII letter',
    chat: (b) => (b.Attributes = { clé: 'v' }),
    status: 400,
    type: IPE,
    message: /Attribute key 'clé' is invalid/,
  },
  {
    name: 'attribute key empty',
    chat: (b) => (b.Attributes = { '': 'v' }),
    status: 400,
    type: IPE,
    message: tooShort('attributes.key', 1),
  },
  {
    name: 'attributes exactly 32,768 bytes (ASCII)',
    chat: (b) => (b.Attributes = attributesOfBytes(32_768)),
    status: 200,
  },
  {
    name: 'attributes 32,769 bytes (ASCII)',
    chat: (b) => (b.Attributes = attributesOfBytes(32_769, 'kk')),
    status: 400,
    type: IPE,
    message: attrBytes,
  },
  {
    name: 'attributes exactly 32,768 bytes over two pairs',
    chat: (b) => (b.Attributes = { ...attributesOfBytes(16_384, 'a'), ...attributesOfBytes(16_384, 'b') }),
    status: 200,
  },
  {
    name: 'attributes 32,769 bytes over two pairs',
    chat: (b) => (b.Attributes = { ...attributesOfBytes(16_384, 'a'), ...attributesOfBytes(16_385, 'b') }),
    status: 400,
    type: IPE,
    message: attrBytes,
  },
  {
    name: 'attributes exactly 32,768 UTF-8 bytes of 3-byte characters',
    chat: (b) => (b.Attributes = attributesOfBytes(32_768, 'k1', '€')),
    status: 200,
  },
  {
    name: 'attributes 32,769 UTF-8 bytes of 2-byte characters (16,385 characters)',
    chat: (b) => (b.Attributes = attributesOfBytes(32_769, 'k', 'é')),
    status: 400,
    type: IPE,
    message: /total 32769 UTF-8 bytes/,
  },
  {
    name: 'attribute value of 32,768 characters (model max 32,767)',
    chat: (b) => (b.Attributes = { k: x(32_768) }),
    status: 400,
    type: IPE,
    message: tooLong('attributes.k.value', 32767),
  },
  {
    name: 'attribute value a number',
    chat: (b) => (b.Attributes = { k: 1 }),
    status: 400,
    type: SER,
    message: wrongType('attributes.k.value', 'a string'),
  },
  {
    name: 'Attributes a list',
    chat: (b) => (b.Attributes = [['k', 'v']]),
    status: 400,
    type: SER,
    message: wrongType('attributes', 'a map'),
  },
  {
    name: 'Attributes a string',
    chat: (b) => (b.Attributes = 'k=v'),
    status: 400,
    type: SER,
    message: wrongType('attributes', 'a map'),
  },

  // ---- ChatDurationInMinutes (60–10080)
  {
    name: 'ChatDurationInMinutes 59',
    chat: (b) => (b.ChatDurationInMinutes = 59),
    status: 400,
    type: IPE,
    message: below('chatDurationInMinutes', 60),
  },
  { name: 'ChatDurationInMinutes 60', chat: (b) => (b.ChatDurationInMinutes = 60), status: 200 },
  { name: 'ChatDurationInMinutes 10080', chat: (b) => (b.ChatDurationInMinutes = 10080), status: 200 },
  {
    name: 'ChatDurationInMinutes 10081',
    chat: (b) => (b.ChatDurationInMinutes = 10081),
    status: 400,
    type: IPE,
    message: above('chatDurationInMinutes', 10080),
  },
  {
    name: 'ChatDurationInMinutes -1',
    chat: (b) => (b.ChatDurationInMinutes = -1),
    status: 400,
    type: IPE,
    message: below('chatDurationInMinutes', 60),
  },
  {
    name: 'ChatDurationInMinutes a string',
    chat: (b) => (b.ChatDurationInMinutes = '60'),
    status: 400,
    type: SER,
    message: wrongType('chatDurationInMinutes', 'an integer'),
  },
  {
    name: 'ChatDurationInMinutes a fraction',
    chat: (b) => (b.ChatDurationInMinutes = 60.5),
    status: 400,
    type: SER,
    message: wrongType('chatDurationInMinutes', 'an integer'),
  },
  {
    name: 'ChatDurationInMinutes 1e400 (Infinity once parsed)',
    rawChat: (c) => json(validChat(c)).replace(/}$/, ',"ChatDurationInMinutes":1e400}'),
    status: 400,
    type: SER,
    message: wrongType('chatDurationInMinutes', 'an integer'),
  },

  // ---- SupportedMessagingContentTypes
  {
    name: 'SupportedMessagingContentTypes with text/plain and text/markdown',
    chat: (b) => (b.SupportedMessagingContentTypes = ['text/plain', 'text/markdown']),
    status: 200,
  },
  {
    name: 'SupportedMessagingContentTypes without text/plain',
    chat: (b) => (b.SupportedMessagingContentTypes = ['text/markdown']),
    status: 400,
    type: IPE,
    message: /must include text\/plain/,
  },
  {
    name: 'SupportedMessagingContentTypes empty',
    chat: (b) => (b.SupportedMessagingContentTypes = []),
    status: 400,
    type: IPE,
    message: /must include text\/plain/,
  },
  {
    name: 'SupportedMessagingContentTypes with an unknown type',
    chat: (b) => (b.SupportedMessagingContentTypes = ['text/plain', 'text/html']),
    status: 400,
    type: IPE,
    message: /Unsupported messaging content types: text\/html/,
  },
  {
    name: 'SupportedMessagingContentTypes item empty',
    chat: (b) => (b.SupportedMessagingContentTypes = ['text/plain', '']),
    status: 400,
    type: IPE,
    message: tooShort('supportedMessagingContentTypes.2.member', 1),
  },
  {
    name: 'SupportedMessagingContentTypes a string',
    chat: (b) => (b.SupportedMessagingContentTypes = 'text/plain'),
    status: 400,
    type: SER,
    message: wrongType('supportedMessagingContentTypes', 'a list'),
  },
  {
    name: 'SupportedMessagingContentTypes item a number',
    chat: (b) => (b.SupportedMessagingContentTypes = ['text/plain', 7]),
    status: 400,
    type: SER,
    message: wrongType('supportedMessagingContentTypes.2.member', 'a string'),
  },

  // ---- InitialMessage
  {
    name: 'InitialMessage text/plain 1024 chars',
    chat: (b) => (b.InitialMessage = { ContentType: 'text/plain', Content: x(1024) }),
    status: 200,
  },
  {
    name: 'InitialMessage text/plain 1024 chars, multi-byte (the limit is characters)',
    chat: (b) => (b.InitialMessage = { ContentType: 'text/plain', Content: x(1024, '€') }),
    status: 200,
  },
  {
    name: 'InitialMessage text/plain 1025 chars',
    chat: (b) => (b.InitialMessage = { ContentType: 'text/plain', Content: x(1025) }),
    status: 400,
    type: IPE,
    message: /InitialMessage: .*1025 characters; the limit is 1024/,
  },
  {
    name: 'InitialMessage text/markdown on a chat that supports only text/plain',
    chat: (b) => (b.InitialMessage = { ContentType: 'text/markdown', Content: '**hi**' }),
    status: 400,
    type: IPE,
    message: /InitialMessage: Content type text\/markdown is not supported by this chat/,
  },
  {
    name: 'InitialMessage text/markdown on a chat that supports it',
    chat: (b) => {
      b.SupportedMessagingContentTypes = ['text/plain', 'text/markdown'];
      b.InitialMessage = { ContentType: 'text/markdown', Content: '**hi**' };
    },
    status: 200,
  },
  {
    name: 'InitialMessage application/json 12,000 chars',
    chat: (b) => {
      b.SupportedMessagingContentTypes = ['text/plain', 'application/json'];
      b.InitialMessage = { ContentType: 'application/json', Content: json({ p: x(11_992) }) };
    },
    status: 200,
  },
  {
    name: 'InitialMessage application/json 12,001 chars',
    chat: (b) => {
      b.SupportedMessagingContentTypes = ['text/plain', 'application/json'];
      b.InitialMessage = { ContentType: 'application/json', Content: json({ p: x(11_993) }) };
    },
    status: 400,
    type: IPE,
    message: /12001 characters; the limit is 12000/,
  },
  {
    name: 'InitialMessage Content empty',
    chat: (b) => (b.InitialMessage = { ContentType: 'text/plain', Content: '' }),
    status: 400,
    type: IPE,
    message: tooShort('initialMessage.content', 1),
  },
  {
    name: 'InitialMessage Content 16,385 chars (model max)',
    chat: (b) => (b.InitialMessage = { ContentType: 'text/plain', Content: x(16_385) }),
    status: 400,
    type: IPE,
    message: tooLong('initialMessage.content', 16384),
  },
  {
    name: 'InitialMessage Content missing',
    chat: (b) => (b.InitialMessage = { ContentType: 'text/plain' }),
    status: 400,
    type: IPE,
    message: missing('initialMessage.content'),
  },
  {
    name: 'InitialMessage a string',
    chat: (b) => (b.InitialMessage = 'hello'),
    status: 400,
    type: SER,
    message: wrongType('initialMessage', 'a structure'),
  },

  // ---- ParticipantDetails types
  {
    name: 'ParticipantDetails a string',
    chat: (b) => (b.ParticipantDetails = 'Jane'),
    status: 400,
    type: SER,
    message: wrongType('participantDetails', 'a structure'),
  },
  {
    name: 'ParticipantDetails a list',
    chat: (b) => (b.ParticipantDetails = [{ DisplayName: 'Jane' }]),
    status: 400,
    type: SER,
    message: wrongType('participantDetails', 'a structure'),
  },
  {
    name: 'DisplayName an object',
    chat: (b) => (b.ParticipantDetails.DisplayName = { first: 'Jane' }),
    status: 400,
    type: SER,
    message: wrongType('participantDetails.displayName', 'a string'),
  },
  {
    name: 'InstanceId a number',
    chat: (b) => (b.InstanceId = 42),
    status: 400,
    type: SER,
    message: wrongType('instanceId', 'a string'),
  },

  // ---- RelatedContactId and PersistentChat
  {
    name: 'RelatedContactId of a live contact',
    chat: (b, c) => (b.RelatedContactId = c.contactId),
    status: 200,
  },
  {
    name: 'unknown RelatedContactId',
    chat: (b) => (b.RelatedContactId = randomUUID()),
    status: 404,
    type: RNF,
    message: /^Contact [0-9a-f-]{36} not found/,
  },
  {
    name: 'RelatedContactId 257 chars',
    chat: (b) => (b.RelatedContactId = x(257)),
    status: 400,
    type: IPE,
    message: tooLong('relatedContactId', 256),
  },
  {
    name: 'PersistentChat together with RelatedContactId',
    chat: (b, c) => {
      b.RelatedContactId = c.contactId;
      b.PersistentChat = { RehydrationType: 'ENTIRE_PAST_SESSION', SourceContactId: c.contactId };
    },
    status: 400,
    type: IRE,
    message: /PersistentChat and RelatedContactId cannot be used together/,
  },
  {
    name: 'PersistentChat with an unknown SourceContactId',
    chat: (b) =>
      (b.PersistentChat = { RehydrationType: 'ENTIRE_PAST_SESSION', SourceContactId: randomUUID() }),
    status: 404,
    type: RNF,
    message: /^Contact [0-9a-f-]{36} not found/,
  },
  {
    name: 'PersistentChat RehydrationType not in the enum',
    chat: (b, c) => (b.PersistentChat = { RehydrationType: 'EVERYTHING', SourceContactId: c.contactId }),
    status: 400,
    type: IPE,
    message: notEnum('persistentChat.rehydrationType'),
  },
  {
    name: 'PersistentChat a boolean',
    chat: (b) => (b.PersistentChat = true),
    status: 400,
    type: SER,
    message: wrongType('persistentChat', 'a structure'),
  },

  // ---- ParticipantConfiguration, DisconnectOnCustomerExit
  {
    name: 'ResponseMode COMPLETE',
    chat: (b) => (b.ParticipantConfiguration = { ResponseMode: 'COMPLETE' }),
    status: 200,
  },
  {
    name: 'ResponseMode INCREMENTAL',
    chat: (b) => (b.ParticipantConfiguration = { ResponseMode: 'INCREMENTAL' }),
    status: 400,
    type: IRE,
    message: /INCREMENTAL is not supported/,
  },
  {
    name: 'ResponseMode not in the enum',
    chat: (b) => (b.ParticipantConfiguration = { ResponseMode: 'STREAMING' }),
    status: 400,
    type: IPE,
    message: notEnum('participantConfiguration.responseMode'),
  },
  {
    name: 'DisconnectOnCustomerExit [AGENT]',
    chat: (b) => (b.DisconnectOnCustomerExit = ['AGENT']),
    status: 200,
  },
  {
    name: 'DisconnectOnCustomerExit with 2 items',
    chat: (b) => (b.DisconnectOnCustomerExit = ['AGENT', 'AGENT']),
    status: 400,
    type: IPE,
    message: tooLong('disconnectOnCustomerExit', 1),
  },
  {
    name: 'DisconnectOnCustomerExit empty',
    chat: (b) => (b.DisconnectOnCustomerExit = []),
    status: 400,
    type: IPE,
    message: tooShort('disconnectOnCustomerExit', 1),
  },
  {
    name: 'DisconnectOnCustomerExit item not in the enum',
    chat: (b) => (b.DisconnectOnCustomerExit = ['CUSTOMER']),
    status: 400,
    type: IPE,
    message: notEnum('disconnectOnCustomerExit.1.member'),
  },
  {
    name: 'DisconnectOnCustomerExit a string',
    chat: (b) => (b.DisconnectOnCustomerExit = 'AGENT'),
    status: 400,
    type: SER,
    message: wrongType('disconnectOnCustomerExit', 'a list'),
  },

  // ---- CustomerId (1–128), ClientToken (≤500), SegmentAttributes
  { name: 'CustomerId 128 chars', chat: (b) => (b.CustomerId = x(128)), status: 200 },
  {
    name: 'CustomerId 129 chars',
    chat: (b) => (b.CustomerId = x(129)),
    status: 400,
    type: IPE,
    // CustomerId is a sensitive member: its value is never echoed in the message.
    message:
      /^1 validation error detected: Value at 'customerId' failed to satisfy constraint: Member must have length less than or equal to 128$/,
  },
  {
    name: 'CustomerId empty',
    chat: (b) => (b.CustomerId = ''),
    status: 400,
    type: IPE,
    message:
      /^1 validation error detected: Value at 'customerId' failed to satisfy constraint: Member must have length greater than or equal to 1$/,
  },
  { name: 'ClientToken 500 chars', chat: (b) => (b.ClientToken = `${randomUUID()}${x(464)}`), status: 200 },
  {
    name: 'ClientToken 501 chars',
    chat: (b) => (b.ClientToken = x(501)),
    status: 400,
    type: IPE,
    message: tooLong('clientToken', 500),
  },
  {
    name: 'SegmentAttributes ValueString 1024 chars',
    chat: (b) => (b.SegmentAttributes = { 'connect:Subtype': { ValueString: x(1024) } }),
    status: 200,
  },
  {
    name: 'SegmentAttributes ValueString 1025 chars',
    chat: (b) => (b.SegmentAttributes = { 'connect:Subtype': { ValueString: x(1025) } }),
    status: 400,
    type: IPE,
    message: tooLong('segmentAttributes.connect:Subtype.value.valueString', 1024),
  },
  {
    name: 'SegmentAttributes key 129 chars',
    chat: (b) => (b.SegmentAttributes = { [x(129)]: { ValueString: 'v' } }),
    status: 400,
    type: IPE,
    message: tooLong('segmentAttributes.key', 128),
  },
  {
    name: 'SegmentAttributes ValueInteger a string',
    chat: (b) => (b.SegmentAttributes = { n: { ValueInteger: 'seven' } }),
    status: 400,
    type: SER,
    message: wrongType('segmentAttributes.n.value.valueInteger', 'an integer'),
  },
  {
    name: 'SegmentAttributes value a list',
    chat: (b) => (b.SegmentAttributes = { n: ['v'] }),
    status: 400,
    type: SER,
    message: wrongType('segmentAttributes.n.value', 'a structure'),
  },
  {
    name: 'SegmentAttributes nested 20,000 levels deep',
    rawChat: (c) =>
      json(validChat(c)).replace(
        /}$/,
        `,"SegmentAttributes":${'{"k":{"ValueMap":'.repeat(20_000)}{}${'}}'.repeat(20_000)}}`,
      ),
    status: 400,
    type: SER,
    message: /^Request nests deeper than 64 levels at 'segmentAttributes\.k\.value\.valueMap/,
  },
  {
    name: 'SegmentAttributes nested 10 ValueMaps deep',
    rawChat: (c) =>
      json(validChat(c)).replace(
        /}$/,
        `,"SegmentAttributes":${'{"k":{"ValueMap":'.repeat(10)}{"leaf":{"ValueString":"v"}}${'}}'.repeat(10)}}`,
      ),
    status: 200,
  },

  // ---- the body itself
  {
    name: 'malformed JSON',
    rawChat: (c) => json(validChat(c)).slice(0, -1),
    status: 400,
    type: SER,
    message: /^Request body is not valid JSON/,
  },
  {
    name: 'body not JSON at all',
    rawChat: () => 'InstanceId=x',
    status: 400,
    type: SER,
    message: /not valid JSON/,
  },
  {
    name: 'body is JSON null',
    rawChat: () => 'null',
    status: 400,
    type: SER,
    message: /must be a JSON object/,
  },
  {
    name: 'body is a JSON array',
    rawChat: (c) => json([validChat(c)]),
    status: 400,
    type: SER,
    message: /must be a JSON object/,
  },
  {
    name: 'body is a JSON string',
    rawChat: () => '"{}"',
    status: 400,
    type: SER,
    message: /must be a JSON object/,
  },
  {
    name: 'body is a JSON number',
    rawChat: () => '42',
    status: 400,
    type: SER,
    message: /must be a JSON object/,
  },
  {
    name: 'body with a UTF-8 BOM',
    rawChat: (c) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json(validChat(c)))]),
    status: 400,
    type: SER,
    message: /not valid JSON/,
  },
  {
    name: 'invalid UTF-8 inside a string does not crash',
    rawChat: (c) =>
      Buffer.concat([
        Buffer.from(json(validChat(c)).replace(/}$/, ',"CustomerId":"')),
        Buffer.from([0xc3, 0x28, 0xff]),
        Buffer.from('"}'),
      ]),
    status: 200,
  },
  {
    name: 'Content-Type application/json; charset=utf-8',
    request: (c) => chatRequest(json(validChat(c)), { 'content-type': 'application/json; charset=utf-8' }),
    status: 200,
  },
  {
    name: 'Content-Type text/plain',
    request: (c) => chatRequest(json(validChat(c)), { 'content-type': 'text/plain' }),
    status: 415,
    type: 'UnsupportedMediaTypeException',
    message: /text\/plain/,
  },
  {
    name: 'Content-Type application/x-www-form-urlencoded',
    request: (c) => chatRequest(json(validChat(c)), { 'content-type': 'application/x-www-form-urlencoded' }),
    status: 415,
    type: 'UnsupportedMediaTypeException',
    message: /application\/x-www-form-urlencoded/,
  },
  {
    name: 'Content-Type empty',
    request: (c) => chatRequest(json(validChat(c)), { 'content-type': '' }),
    status: 415,
    type: 'UnsupportedMediaTypeException',
    message: /^Unsupported Content-Type: ;/,
  },
  {
    name: 'body of exactly 1 MiB',
    rawChat: (c) => padded(validChat(c), MIB),
    status: 200,
  },
  {
    name: 'body of 1 MiB + 1 byte',
    rawChat: (c) => padded(validChat(c), MIB + 1),
    status: 413,
    type: 'RequestEntityTooLargeException',
    message: /exceeds 1048576 bytes/,
  },
  {
    name: 'body of 8 MiB',
    rawChat: (c) => padded(validChat(c), 8 * MIB),
    status: 413,
    type: 'RequestEntityTooLargeException',
    message: /exceeds 1048576 bytes/,
  },
];

const otherRows: Row[] = [
  // ---- routing
  {
    name: 'unknown path',
    request: () => ({ method: 'GET', path: '/no/such/operation' }),
    status: 404,
    type: 'UnknownOperationException',
    message: /GET \/no\/such\/operation/,
  },
  {
    name: 'known path, wrong method',
    request: (c) => ({ method: 'DELETE', path: '/contact/chat', body: json(validChat(c)) }),
    status: 404,
    type: 'UnknownOperationException',
    message: /DELETE \/contact\/chat/,
  },
  {
    name: 'StartWebRTCContact without ParticipantDetails',
    request: (c) => {
      const { ParticipantDetails: _details, ...body } = validChat(c);
      return { method: 'PUT', path: '/contact/webrtc', body: json(body) };
    },
    status: 400,
    type: IPE,
    message: missing('participantDetails'),
  },
  {
    name: 'StartWebRTCContact with a Video capability the model does not have',
    request: (c) => ({
      method: 'PUT',
      path: '/contact/webrtc',
      body: json({ ...validChat(c), AllowedCapabilities: { Customer: { Video: 'RECEIVE' } } }),
    }),
    status: 400,
    type: IPE,
    message: /allowedCapabilities\.customer\.video/i,
  },
  {
    name: 'StartContactRecording is not implemented',
    request: (c) => ({
      method: 'POST',
      path: '/contact/start-recording',
      body: json({ InstanceId: c.instanceId }),
    }),
    status: 501,
    type: 'NotImplementedException',
    message: /StartContactRecording/,
  },

  // ---- DescribeContact (path labels)
  {
    name: 'path label with malformed percent-encoding',
    request: (c) => ({ method: 'GET', path: `/contacts/${c.instanceId}/%zz` }),
    status: 400,
    type: SER,
    message: /^Malformed request path: /,
  },
  {
    name: 'DescribeContact ContactId 257 chars',
    request: (c) => ({ method: 'GET', path: `/contacts/${c.instanceId}/${x(257)}` }),
    status: 400,
    type: IPE,
    message: tooLong('contactId', 256),
  },
  {
    name: 'DescribeContact ContactId 256 chars, unknown',
    request: (c) => ({ method: 'GET', path: `/contacts/${c.instanceId}/${x(256)}` }),
    status: 404,
    type: RNF,
    message: /not found/,
  },
  {
    name: 'DescribeContact InstanceId 101 chars',
    request: (c) => ({ method: 'GET', path: `/contacts/${x(101)}/${c.contactId}` }),
    status: 400,
    type: IPE,
    message: tooLong('instanceId', 100),
  },
  {
    name: 'DescribeContact of the live contact',
    request: (c) => ({ method: 'GET', path: `/contacts/${c.instanceId}/${c.contactId}` }),
    status: 200,
  },

  // ---- ListQueues (query parameters)
  {
    name: 'ListQueues maxResults=0',
    request: (c) => ({ method: 'GET', path: `/queues-summary/${c.instanceId}`, query: { maxResults: '0' } }),
    status: 400,
    type: IPE,
    message: below('maxResults', 1),
  },
  {
    name: 'ListQueues maxResults=1',
    request: (c) => ({ method: 'GET', path: `/queues-summary/${c.instanceId}`, query: { maxResults: '1' } }),
    status: 200,
  },
  {
    name: 'ListQueues maxResults=1000',
    request: (c) => ({
      method: 'GET',
      path: `/queues-summary/${c.instanceId}`,
      query: { maxResults: '1000' },
    }),
    status: 200,
  },
  {
    name: 'ListQueues maxResults=1001',
    request: (c) => ({
      method: 'GET',
      path: `/queues-summary/${c.instanceId}`,
      query: { maxResults: '1001' },
    }),
    status: 400,
    type: IPE,
    message: above('maxResults', 1000),
  },
  {
    name: 'ListQueues maxResults=abc',
    request: (c) => ({
      method: 'GET',
      path: `/queues-summary/${c.instanceId}`,
      query: { maxResults: 'abc' },
    }),
    status: 400,
    type: SER,
    message: wrongType('maxResults', 'an integer'),
  },
  {
    name: 'ListQueues maxResults=1.5',
    request: (c) => ({
      method: 'GET',
      path: `/queues-summary/${c.instanceId}`,
      query: { maxResults: '1.5' },
    }),
    status: 400,
    type: SER,
    message: wrongType('maxResults', 'an integer'),
  },
  {
    name: 'ListQueues queueTypes not in the enum',
    request: (c) => ({
      method: 'GET',
      path: `/queues-summary/${c.instanceId}`,
      query: { queueTypes: 'VIP' },
    }),
    status: 400,
    type: IPE,
    message: notEnum('queueTypes.1.member'),
  },

  // ---- contact attributes
  {
    name: 'GetContactAttributes of a missing contact',
    request: (c) => ({ method: 'GET', path: `/contact/attributes/${c.instanceId}/${randomUUID()}` }),
    status: 404,
    type: RNF,
    message: /^Contact [0-9a-f-]{36} not found/,
  },
  {
    name: 'GetContactAttributes InitialContactId 257 chars (operation models no InvalidParameterException)',
    request: (c) => ({ method: 'GET', path: `/contact/attributes/${c.instanceId}/${x(257)}` }),
    status: 400,
    type: IRE,
    message: tooLong('initialContactId', 256),
  },
  {
    name: 'UpdateContactAttributes with a bad key',
    request: (c) => ({
      method: 'POST',
      path: '/contact/attributes',
      body: json({
        InstanceId: c.instanceId,
        InitialContactId: c.contactId,
        Attributes: { 'no spaces': 'v' },
      }),
    }),
    status: 400,
    type: IPE,
    message: /Attribute key 'no spaces' is invalid/,
  },
  {
    name: 'UpdateContactAttributes over 32,768 bytes',
    request: (c) => ({
      method: 'POST',
      path: '/contact/attributes',
      body: json({
        InstanceId: c.instanceId,
        InitialContactId: c.contactId,
        Attributes: attributesOfBytes(32_769, 'kk'),
      }),
    }),
    status: 400,
    type: IPE,
    message: attrBytes,
  },
  {
    name: 'UpdateContactAttributes without Attributes',
    request: (c) => ({
      method: 'POST',
      path: '/contact/attributes',
      body: json({ InstanceId: c.instanceId, InitialContactId: c.contactId }),
    }),
    status: 400,
    type: IPE,
    message: missing('attributes'),
  },
  {
    name: 'UpdateContactAttributes of a missing contact',
    request: (c) => ({
      method: 'POST',
      path: '/contact/attributes',
      body: json({ InstanceId: c.instanceId, InitialContactId: randomUUID(), Attributes: { k: 'v' } }),
    }),
    status: 404,
    type: RNF,
    message: /not found/,
  },
  {
    name: 'UpdateContactAttributes of the live contact',
    request: (c) => ({
      method: 'POST',
      path: '/contact/attributes',
      body: json({ InstanceId: c.instanceId, InitialContactId: c.contactId, Attributes: { ok_key: 'v' } }),
    }),
    status: 200,
  },

  // ---- StopContact
  {
    name: 'StopContact of an unknown contact',
    request: (c) => ({
      method: 'POST',
      path: '/contact/stop',
      body: json({ InstanceId: c.instanceId, ContactId: randomUUID() }),
    }),
    status: 410,
    type: 'ContactNotFoundException',
    message: /is not active or does not exist/,
  },
  {
    name: 'StopContact without ContactId',
    request: (c) => ({ method: 'POST', path: '/contact/stop', body: json({ InstanceId: c.instanceId }) }),
    status: 400,
    type: IPE,
    message: missing('contactId'),
  },

  // ---- agents
  {
    name: 'ListAgentStatuses AgentStatusTypes not in the enum',
    request: (c) => ({
      method: 'GET',
      path: `/agent-status/${c.instanceId}`,
      query: { AgentStatusTypes: 'BUSY' },
    }),
    status: 400,
    type: IPE,
    message: notEnum('agentStatusTypes.1.member'),
  },
  {
    name: 'CreateAgentStatus Name 128 chars',
    request: (c) => ({
      method: 'PUT',
      path: `/agent-status/${c.instanceId}`,
      body: json({ Name: x(128), State: 'ENABLED' }),
    }),
    status: 400,
    type: IPE,
    message: tooLong('name', 127),
  },
  {
    name: 'CreateAgentStatus DisplayOrder 51',
    request: (c) => ({
      method: 'PUT',
      path: `/agent-status/${c.instanceId}`,
      body: json({ Name: 'Late', State: 'ENABLED', DisplayOrder: 51 }),
    }),
    status: 400,
    type: IPE,
    message: above('displayOrder', 50),
  },
  {
    name: 'CreateAgentStatus without State',
    request: (c) => ({ method: 'PUT', path: `/agent-status/${c.instanceId}`, body: json({ Name: 'Late' }) }),
    status: 400,
    type: IPE,
    message: missing('state'),
  },
  {
    name: 'PutUserStatus of an unknown user',
    request: (c) => ({
      method: 'PUT',
      path: `/users/${c.instanceId}/${randomUUID()}/status`,
      body: json({ AgentStatusId: randomUUID() }),
    }),
    status: 404,
    type: RNF,
    message: /^User [0-9a-f-]{36} not found/,
  },
  {
    name: 'GetCurrentMetricData with three Groupings',
    request: (c) => ({
      method: 'POST',
      path: `/metrics/current/${c.instanceId}`,
      body: json({
        Filters: { Queues: [randomUUID()] },
        Groupings: ['QUEUE', 'CHANNEL', 'ROUTING_PROFILE'],
        CurrentMetrics: [{ Name: 'AGENTS_ONLINE', Unit: 'COUNT' }],
      }),
    }),
    status: 400,
    type: IPE,
    message: tooLong('groupings', 2),
  },
];

const sigRows: Row[] = [
  {
    name: 'unsigned request',
    chat: () => {},
    sign: (o) => ({ ...o, unsigned: true }),
    status: 403,
    type: 'MissingAuthenticationTokenException',
    message: /^Missing Authentication Token$/,
  },
  {
    name: 'unknown access key',
    chat: () => {},
    sign: (o) => ({
      ...o,
      credentials: { accessKeyId: 'AKIANOSUCHKEY0000000', secretAccessKey: 'whatever' },
    }),
    status: 403,
    type: 'UnrecognizedClientException',
    message: /security token included in the request is invalid/,
  },
  {
    name: 'wrong secret',
    chat: () => {},
    sign: (o) => ({
      ...o,
      credentials: { ...o.credentials, secretAccessKey: `${o.credentials.secretAccessKey}x` },
    }),
    status: 403,
    type: SIG,
    message: MISMATCH,
  },
  {
    name: 'session token (not supported)',
    request: (c) => chatRequest(json(validChat(c)), { 'x-amz-security-token': 'FwoGZXIvYXdzEXAMPLE' }),
    status: 403,
    type: 'UnrecognizedClientException',
    message: /X-Amz-Security-Token/,
  },
  {
    name: 'body changed after signing',
    chat: () => {},
    sign: (o) => ({ ...o, tamper: (r) => (r.body = String(r.body).replace('Bad Input', 'Bad Inpuu')) }),
    status: 403,
    type: SIG,
    message: MISMATCH,
  },
  {
    name: 'body changed after signing, x-amz-content-sha256 dropped',
    chat: () => {},
    sign: (o) => ({
      ...o,
      tamper: (r) => {
        r.body = String(r.body).replace('Bad Input', 'Bad Inpuu');
        delete r.headers['x-amz-content-sha256'];
      },
    }),
    status: 403,
    type: SIG,
    message: MISMATCH,
  },
  {
    name: 'signed header changed after signing',
    request: (c) => chatRequest(json(validChat(c)), { 'x-custom': 'one' }),
    sign: (o) => ({ ...o, tamper: (r) => (r.headers['x-custom'] = 'two') }),
    status: 403,
    type: SIG,
    message: MISMATCH,
  },
  {
    name: 'path changed after signing',
    request: (c) => ({ method: 'GET', path: `/contacts/${c.instanceId}/${c.contactId}` }),
    sign: (o, c) => ({ ...o, tamper: (r) => (r.path = `/contacts/${c.instanceId}/${randomUUID()}`) }),
    status: 403,
    type: SIG,
    message: MISMATCH,
  },
  {
    name: 'signature changed',
    chat: () => {},
    sign: (o) => ({
      ...o,
      tamper: (r) =>
        (r.headers.authorization = r.headers.authorization.replace(
          /Signature=(.)/,
          (_m, ch: string) => `Signature=${ch === '0' ? '1' : '0'}`,
        )),
    }),
    status: 403,
    type: SIG,
    message: MISMATCH,
  },
  {
    name: 'signed 4 minutes ago',
    chat: () => {},
    sign: (o) => ({ ...o, date: new Date(Date.now() - 4 * 60_000) }),
    status: 200,
  },
  {
    name: 'signed 6 minutes ago',
    chat: () => {},
    sign: (o) => ({ ...o, date: new Date(Date.now() - 6 * 60_000) }),
    status: 403,
    type: SIG,
    message: /^Signature expired: \d{8}T\d{6}Z is now earlier than/,
  },
  {
    name: 'signed 6 minutes in the future',
    chat: () => {},
    sign: (o) => ({ ...o, date: new Date(Date.now() + 6 * 60_000) }),
    status: 403,
    type: SIG,
    message: /^Signature not yet current: \d{8}T\d{6}Z is still later than/,
  },
  {
    name: 'Authorization of another scheme',
    chat: () => {},
    sign: (o) => ({ ...o, tamper: (r) => (r.headers.authorization = 'Bearer abc') }),
    status: 400,
    type: INCOMPLETE,
    message: /Unsupported Authorization algorithm 'Bearer'/,
  },
  {
    name: 'Authorization without Signature',
    chat: () => {},
    sign: (o) => ({
      ...o,
      tamper: (r) => (r.headers.authorization = r.headers.authorization.replace(/, Signature=\w+/, '')),
    }),
    status: 400,
    type: INCOMPLETE,
    message: /requires 'Signature' parameter/,
  },
  {
    name: 'Authorization with a 4-part Credential',
    chat: () => {},
    sign: (o) => ({
      ...o,
      tamper: (r) => (r.headers.authorization = r.headers.authorization.replace('/aws4_request', '')),
    }),
    status: 400,
    type: INCOMPLETE,
    message: /Credential must have exactly 5 slash-delimited elements/,
  },
  {
    name: 'X-Amz-Date missing',
    chat: () => {},
    sign: (o) => ({ ...o, tamper: (r) => delete r.headers['x-amz-date'] }),
    status: 400,
    type: INCOMPLETE,
    message: /X-Amz-Date/,
  },
];

const rows: Row[] = [...chatRows, ...otherRows, ...sigRows];

function validChat(c: Ctx): ChatBody {
  return {
    InstanceId: c.instanceId,
    ContactFlowId: c.flowId,
    ParticipantDetails: { DisplayName: 'Bad Input' },
  };
}

function chatRequest(body: string | Buffer, headers?: Record<string, string>): RawRequest {
  return { method: 'PUT', path: '/contact/chat', body, headers };
}

/** A valid StartChatContact body padded (with an unknown member) to exactly `size` bytes. */
function padded(body: ChatBody, size: number): string {
  const text = json({ ...body, Padding: '' });
  return text.replace('"Padding":""', `"Padding":"${x(size - Buffer.byteLength(text))}"`);
}

describe('bad input at the Connect API edge', () => {
  let node: TestNode;
  let ctx: Ctx;
  const statuses: number[] = [];

  before(async () => {
    node = await startTestNode();
    const out = await node.connect().send(
      new StartChatContactCommand({
        InstanceId: node.instanceId,
        ContactFlowId: node.flowId,
        ParticipantDetails: { DisplayName: 'Live' },
      }),
    );
    ctx = { instanceId: node.instanceId, flowId: node.flowId, contactId: out.ContactId! };
  });
  after(() => node?.close());

  for (const row of rows) {
    it(`${row.name} → ${row.type ?? row.status}`, async () => {
      let req: RawRequest;
      if (row.request) req = row.request(ctx);
      else if (row.rawChat) req = chatRequest(row.rawChat(ctx));
      else {
        const body = validChat(ctx);
        row.chat!(body, ctx);
        req = chatRequest(json(body));
      }
      const base: SignOptions = { credentials: node.credentials, region: node.region };
      const res: RawResponse = await signedRequest(node.url, req, row.sign ? row.sign(base, ctx) : base);
      statuses.push(res.status);
      assert.match(res.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/, 'x-amzn-RequestId');
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      if (row.status === 200) {
        assert.equal(
          res.status,
          200,
          `expected 200, got ${res.status} ${res.errorType}: ${res.json?.Message}`,
        );
        assert.equal(res.errorType, null);
        if (req.path === '/contact/chat') assert.match(res.json.ContactId, /^[0-9a-f-]{36}$/);
        return;
      }
      assert.ok(row.type && row.message, 'an error row names its type and message');
      assert.deepEqual(
        { status: res.status, header: res.errorType, __type: res.json?.__type },
        { status: row.status, header: row.type, __type: row.type },
        `body: ${res.text.slice(0, 300)}`,
      );
      assert.equal(typeof res.json.Message, 'string');
      assert.match(res.json.Message, row.message);
    });
  }

  it('no row got a 5xx other than the 501s it asked for', () => {
    const expected501 = rows.filter((r) => r.status === 501).length;
    assert.equal(statuses.length, rows.length, 'every row ran');
    assert.equal(statuses.filter((s) => s >= 500 && s !== 501).length, 0);
    assert.equal(statuses.filter((s) => s === 501).length, expected501);
  });

  // A map key named "__proto__" is a valid attribute key (letters and '_'), and must not vanish
  // on the way through `obj[key] = value` (which would set the prototype instead).
  const protoAttributes = '{"__proto__":"p","plain":"v"}';
  const getAttributes = (contactId: string) =>
    signedRequest(
      node.url,
      { method: 'GET', path: `/contact/attributes/${ctx.instanceId}/${contactId}` },
      { credentials: node.credentials, region: node.region },
    );

  it('an attribute key "__proto__" given to StartChatContact is kept', async () => {
    const body = json(validChat(ctx)).replace(/}$/, `,"Attributes":${protoAttributes}}`);
    const started = await signedRequest(node.url, chatRequest(body), {
      credentials: node.credentials,
      region: node.region,
    });
    assert.equal(started.status, 200, started.text);
    const got = await getAttributes(started.json.ContactId);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.text, `{"Attributes":${protoAttributes}}`);
  });

  it('an attribute key "__proto__" given to UpdateContactAttributes is kept', async () => {
    const started = await node.connect().send(
      new StartChatContactCommand({
        InstanceId: ctx.instanceId,
        ContactFlowId: ctx.flowId,
        ParticipantDetails: { DisplayName: 'Proto' },
      }),
    );
    const updated = await signedRequest(
      node.url,
      {
        method: 'POST',
        path: '/contact/attributes',
        body: `{"InstanceId":"${ctx.instanceId}","InitialContactId":"${started.ContactId}","Attributes":${protoAttributes}}`,
      },
      { credentials: node.credentials, region: node.region },
    );
    assert.equal(updated.status, 200, updated.text);
    const got = await getAttributes(started.ContactId!);
    assert.equal(got.text, `{"Attributes":${protoAttributes}}`);
  });

  it('a signed header sent on several lines verifies as its values joined by ","', async () => {
    const body = json(validChat(ctx));
    const signed = await signRequest(node.url, chatRequest(body, { 'x-custom': 'one,two' }), {
      credentials: node.credentials,
      region: node.region,
    });
    // node:http sends an array value as one header line per element.
    const send = (lines: string[]) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(
          node.url + '/contact/chat',
          { method: 'PUT', headers: { ...signed.headers, 'x-custom': lines } },
          (res) => {
            let text = '';
            res.on('data', (d) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode!, text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const both = await send(['one', 'two']);
    assert.equal(both.status, 200, both.text);
    const third = await send(['one', 'two', 'three']);
    assert.equal(third.status, 403, third.text);
    assert.match(third.text, /InvalidSignatureException/);
  });

  it('the node still serves a normal StartChatContact afterwards', async () => {
    const connect = node.connect();
    const out = await connect.send(
      new StartChatContactCommand({
        InstanceId: node.instanceId,
        ContactFlowId: node.flowId,
        ParticipantDetails: { DisplayName: 'After' },
        Attributes: { still: 'ok' },
      }),
    );
    const { Contact } = await connect.send(
      new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: out.ContactId }),
    );
    assert.equal(Contact!.Id, out.ContactId);
    assert.deepEqual(Contact!.Attributes, { still: 'ok' });
  });
});
